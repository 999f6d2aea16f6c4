package wintable

import (
	"net"
	"net/netip"
	"os"
	"testing"
)

// TestRowsThisProcess reads the real tables for sockets this test holds: a
// UDP socket and the client end of a connected TCP pair, both named with
// this PID (under Wine too, which leaves a listener's owner PID 0, see
// docs/windows.md), and nothing on other ports.
func TestRowsThisProcess(t *testing.T) {
	u, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	udpPort := uint16(u.LocalAddr().(*net.UDPAddr).Port)
	client := netip.MustParseAddrPort(c.LocalAddr().String())
	var tables Tables
	for _, tc := range []struct {
		kind  Kind
		local netip.AddrPort
	}{
		{UDP4, netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), udpPort)},
		{TCP4, client},
	} {
		// Twice: the second read reuses the first one's buffer.
		for range 2 {
			rows, err := tables.Rows(tc.kind, map[uint16]bool{tc.local.Port(): true}, nil)
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, r := range rows {
				if r.Local.Port() != tc.local.Port() {
					t.Errorf("%v: row %+v on a port not asked for", tc.kind, r)
				}
				if r.Local == tc.local && int(r.PID) == os.Getpid() && r.TCP == (tc.kind == TCP4) {
					found = true
				}
			}
			if !found {
				t.Errorf("%v: rows %+v lack %v of PID %d", tc.kind, rows, tc.local, os.Getpid())
			}
		}
	}
	if _, err := tables.Rows(Kind(7), nil, nil); err == nil {
		t.Error("unknown layout read")
	}
}
