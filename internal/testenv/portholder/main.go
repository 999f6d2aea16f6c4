// Command portholder holds a port for tests that need a program other than
// the test itself to own it: the Windows end-to-end tests run it under Wine
// (a Windows build) so that traycheck.exe has a foreign holder to name.
//
// usage: portholder udp|tcp PORT
//
// It binds the port on all addresses, prints "ready PID" on standard output
// once bound, and holds it until standard input closes (the test ends or
// dies), so it never outlives its test.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
)

func main() {
	if len(os.Args) != 3 || (os.Args[1] != "udp" && os.Args[1] != "tcp") {
		fmt.Fprintln(os.Stderr, "usage: portholder udp|tcp PORT")
		os.Exit(2)
	}
	addr := ":" + os.Args[2]
	var c io.Closer
	var err error
	if os.Args[1] == "udp" {
		c, err = net.ListenPacket("udp", addr)
	} else {
		c, err = net.Listen("tcp", addr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "portholder:", err)
		os.Exit(1)
	}
	defer c.Close()
	fmt.Printf("ready %d\n", os.Getpid())
	io.Copy(io.Discard, os.Stdin)
}
