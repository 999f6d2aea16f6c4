package vpnport

import (
	"encoding/json"
	"flag"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/vpnport/sockdiag"
)

var updateInetDiag = flag.Bool("update-inetdiag", false, "recapture sockdiag/testdata/*.bin from the running kernel")

// TestCaptureInetDiag records real kernel replies to our requests as
// fixtures for the OS-neutral decoder tests (inetdiag_test.go). It runs only
// with -update-inetdiag; the golden .json next to each .bin is the decoder's
// reading, to be checked by eye before committing.
func TestCaptureInetDiag(t *testing.T) {
	if !*updateInetDiag {
		t.Skip("fixture capture: run with -update-inetdiag")
	}
	dir := filepath.Join("sockdiag", "testdata")
	os.MkdirAll(dir, 0o755)
	write := func(name string, fam, proto uint8, kind Kind, port uint16) {
		raw := captureDump(t, fam, proto, port)
		if err := os.WriteFile(filepath.Join(dir, name+".bin"), raw, 0o644); err != nil {
			t.Fatal(err)
		}
		ents, done, err := sockdiag.Decode(nil, raw, 1)
		if err != nil || !done {
			t.Fatalf("%s: done=%v err=%v", name, done, err)
		}
		socks := appendSockets(nil, ents, kind)
		for i := range socks { // the seconds left drift between captures
			socks[i].TimerLeft = socks[i].TimerLeft.Truncate(time.Second)
		}
		j, _ := json.MarshalIndent(goldenInetDiag{Port: port, Sockets: socks}, "", "  ")
		if err := os.WriteFile(filepath.Join(dir, name+".json"), append(j, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// A listener with one accepted connection, v4.
	ln, _ := net.Listen("tcp4", "127.0.0.1:0")
	defer ln.Close()
	c, _ := net.Dial("tcp4", ln.Addr().String())
	defer c.Close()
	a, _ := ln.Accept()
	defer a.Close()
	write("tcp4_listen_estab", sockdiag.AFInet, sockdiag.TCP, TCP, uint16(ln.Addr().(*net.TCPAddr).Port))

	// A TIME_WAIT on the client's port.
	c2, _ := net.Dial("tcp4", ln.Addr().String())
	a2, _ := ln.Accept()
	twPort := uint16(c2.LocalAddr().(*net.TCPAddr).Port)
	c2.Close()
	a2.Read(make([]byte, 1))
	a2.Close()
	time.Sleep(50 * time.Millisecond)
	write("tcp4_timewait", sockdiag.AFInet, sockdiag.TCP, TCP, twPort)

	// Dual-stack listener and a v4 client: IPv4-mapped addresses in AF_INET6.
	ln6, _ := net.Listen("tcp", "[::]:0")
	defer ln6.Close()
	p6 := ln6.Addr().(*net.TCPAddr).Port
	c6, _ := net.Dial("tcp4", "127.0.0.1:"+strconv.Itoa(p6))
	defer c6.Close()
	a6, _ := ln6.Accept()
	defer a6.Close()
	write("tcp6_mapped", sockdiag.AFInet6, sockdiag.TCP, TCP, uint16(p6))

	u, _ := net.ListenPacket("udp6", "[::1]:0")
	defer u.Close()
	write("udp6_unconn", sockdiag.AFInet6, sockdiag.UDP, UDP, uint16(u.LocalAddr().(*net.UDPAddr).Port))

	u4, _ := net.ListenPacket("udp4", "127.0.0.1:0")
	free := uint16(u4.LocalAddr().(*net.UDPAddr).Port)
	u4.Close()
	write("udp4_empty", sockdiag.AFInet, sockdiag.UDP, UDP, free)
}

// captureDump sends one request with sequence number 1 and returns every
// reply datagram concatenated, through NLMSG_DONE.
func captureDump(t *testing.T, fam, proto uint8, port uint16) []byte {
	t.Helper()
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	req := sockdiag.AppendRequest(nil, 1, fam, proto, sockdiag.AllStates, port)
	if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		t.Fatal(err)
	}
	var all []byte
	buf := make([]byte, 32<<10)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, buf[:n]...)
		if _, done, _ := sockdiag.Decode(nil, buf[:n], 1); done {
			return all
		}
	}
}
