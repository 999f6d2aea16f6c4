package freeport

import (
	"os"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/vpnport"
)

func TestParseLocalPortRange(t *testing.T) {
	for _, c := range []struct {
		file string
		want vpnport.PortRange
		ok   bool
	}{
		{"debian", vpnport.PortRange{Start: 32768, End: 60999}, true},
		{"wide", vpnport.PortRange{Start: 1024, End: 65000}, true},
		{"single", vpnport.PortRange{Start: 40000, End: 40000}, true},
		{"bad_order", vpnport.PortRange{}, false},
		{"bad_one", vpnport.PortRange{}, false},
	} {
		f, err := os.Open("testdata/ip_local_port_range_" + c.file)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseLocalPortRange(f)
		f.Close()
		if got != c.want || (err == nil) != c.ok {
			t.Errorf("%s: got %v, %v; want %v, ok=%v", c.file, got, err, c.want, c.ok)
		}
	}
}

func FuzzParseLocalPortRange(f *testing.F) {
	for _, s := range []string{"32768\t60999\n", "1 1", "", "0 5", "70000 80000", strings.Repeat("9", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseLocalPortRange(strings.NewReader(s))
		if err == nil && (r.Start == 0 || r.Start > r.End) {
			t.Fatalf("accepted a bad range %v from %q", r, s)
		}
	})
}
