// Command fakenm runs the fake NetworkManager of package nmtest on the bus
// DBUS_SYSTEM_BUS_ADDRESS names, for scripts/latency.sh: it serves one
// openvpn connection whose local port is -port and emits VpnStateChanged
// FAILED (service-start-failed) each time a line arrives on stdin, printing
// the time it emitted (Unix nanoseconds) on stdout.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/traycheck/traycheck/internal/trigger/nmtest"
)

func main() {
	port := flag.Uint("port", 1194, "the connection's local port (udp)")
	id := flag.String("id", "work", "the connection's name")
	flag.Parse()
	conn, err := dbus.ConnectSystemBus()
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakenm:", err)
		os.Exit(1)
	}
	nm, err := nmtest.Start(conn, *id, nmtest.OpenVPN(*id, uint16(*port), false))
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakenm:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		t := time.Now().UnixNano()
		if err := nm.VPNState(6, 8); err != nil {
			fmt.Fprintln(os.Stderr, "fakenm:", err)
			os.Exit(1)
		}
		fmt.Println(t)
	}
}
