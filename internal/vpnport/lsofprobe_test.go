package vpnport

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestMacProbe runs the macOS probe against recorded lsof and netstat output
// and checks the argv it would run: no shell, one lsof for all ports.
func TestMacProbe(t *testing.T) {
	dir := t.TempDir()
	dev := filepath.Join(dir, "cu.usbserial-1410")
	if err := os.WriteFile(dev, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cu := strings.ReplaceAll(string(readFixture(t, "lsof/macos14_cu.txt")), "/dev/cu.usbserial-1410", dev)
	var argvs [][]string
	m := &macImpl{run: func(_ context.Context, name string, args ...string) ([]byte, error) {
		argvs = append(argvs, append([]string{name}, args...))
		switch {
		case name == "netstat":
			return readFixture(t, "lsof/macos14_netstat.txt"), nil
		case slices.Contains(args, dev):
			return []byte(cu), nil
		case slices.Contains(args, "-iTCP:1194"):
			return readFixture(t, "lsof/macos14_port1194.txt"), nil
		}
		return nil, nil // lsof found nothing
	}}
	rs := []Resource{{Kind: TCP, Port: 1194}, {Kind: UDP, Port: 1194}, {Kind: Device, Path: dev},
		{Kind: Device, Path: filepath.Join(dir, "cu.gone")}}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	obs, err := m.probe(context.Background(), rs, ProbeOptions{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(obs) != 4 {
		t.Fatalf("%d observations", len(obs))
	}
	tcp := obs[0]
	if len(tcp.Holders) != 1 || tcp.Holders[0].Name != "ssh" || len(tcp.Sockets) != 4 {
		t.Errorf("tcp/1194: %d holders, %d sockets (want ssh, 2 listeners + 2 TIME_WAIT): %+v", len(tcp.Holders), len(tcp.Sockets), tcp)
	}
	if tcp.Sockets[3].State != StateTimeWait || tcp.Sockets[3].TimerLeft != MacTimeWaitMax {
		t.Errorf("TIME_WAIT socket %+v", tcp.Sockets[3])
	}
	if udp := obs[1]; len(udp.Holders) != 2 || !udp.At.Equal(now) {
		t.Errorf("udp/1194 %+v", udp)
	}
	if d := obs[2]; !d.Exists || len(d.Holders) != 1 || d.Holders[0].Name != "screen" {
		t.Errorf("device %+v", d)
	}
	if gone := obs[3]; gone.Exists || gone.OpenErr == "" {
		t.Errorf("missing device %+v", gone)
	}
	want := [][]string{
		{"lsof", "-nP", "-Ts", "-F", "pcuLRftPnT", "-iTCP:1194", "-iUDP:1194"},
		{"netstat", "-anv", "-p", "tcp"},
		{"lsof", "-nP", "-F", "pcuLRftn", "--", dev},
	}
	if !slices.EqualFunc(argvs, want, slices.Equal) {
		t.Errorf("argv\n got %q\nwant %q", argvs, want)
	}
}
