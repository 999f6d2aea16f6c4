package vpnport

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProbeNamesThisProcess runs the real Windows probe (the owner-PID
// tables, the Toolhelp snapshot, the image path) on sockets this test
// holds: a UDP socket and both ends of a connected TCP pair are this
// process's. (Under Wine these are the sockets whose owner PID Wine fills
// in; a TCP listener shows PID 0 there, see docs/windows.md.)
func TestProbeNamesThisProcess(t *testing.T) {
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

	rs := []Resource{
		{Kind: UDP, Port: uint16(u.LocalAddr().(*net.UDPAddr).Port)},
		{Kind: TCP, Port: uint16(c.LocalAddr().(*net.TCPAddr).Port)},
	}
	p := New()
	defer p.Close()
	obs, err := p.Probe(context.Background(), rs, ProbeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	for i, o := range obs {
		if len(o.Sockets) == 0 {
			t.Errorf("%s: no socket seen", rs[i])
			continue
		}
		var found bool
		for _, h := range o.Holders {
			if h.PID == os.Getpid() {
				found = true
				if !strings.EqualFold(h.Name, filepath.Base(self)) || !strings.EqualFold(filepath.Base(h.Exe), filepath.Base(self)) {
					t.Errorf("%s: holder %+v, want name and exe %s", rs[i], h, filepath.Base(self))
				}
			}
		}
		if !found {
			t.Errorf("%s: holders %+v do not include this process (PID %d)", rs[i], o.Holders, os.Getpid())
		}
	}
}

// TestProbeReportsNoLockFiles: UUCP lock files (LCK..name) are a Unix
// convention; on Windows a COM port's exclusive open is the kernel's own
// lock. So the probe never reports a lock file there, and remove-lock is
// never offered on Windows.
func TestProbeReportsNoLockFiles(t *testing.T) {
	p := New()
	defer p.Close()
	for _, person := range []bool{false, true} {
		obs, err := p.Probe(context.Background(), []Resource{{Kind: Device, Path: "COM250"}}, ProbeOptions{Person: person})
		if err != nil {
			t.Fatal(err)
		}
		if o := obs[0]; o.Lock != nil || o.Exists {
			t.Errorf("COM250 (open allowed: %v): exists %v, lock %+v; want missing, no lock", person, o.Exists, o.Lock)
		}
	}
}
