package config

import (
	"fmt"
	"strings"
	"testing"
)

// crafted is the config of issue 17 that took minutes to refuse: one line
// whose bad value is spelled with single quotes, followed by a comment that
// repeats the double-quoted spelling as often as size allows, so the error
// placement meets every repetition as a candidate.
func crafted(size int) []byte {
	head := "[vpn]\nports = ['udp/0'] # "
	return []byte(head + strings.Repeat(`"udp/0"`, (size-len(head))/7) + "\n")
}

func TestCraftedConfigIsPlacedRight(t *testing.T) {
	_, err := Parse("big.toml", crafted(1<<20))
	if err == nil || !strings.HasPrefix(err.Error(), `big.toml:2:10: bad port "udp/0"`) {
		t.Fatalf("got %v", err)
	}
}

// BenchmarkParseCrafted1MiB is the goal "refused in well under a second":
// before the fix, 1 MiB took minutes (256 KiB: seconds); now one op is a
// few decodes of the file.
func BenchmarkParseCrafted1MiB(b *testing.B) {
	data := crafted(1 << 20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("big.toml", data); err == nil {
			b.Fatal("no error")
		}
	}
}

// BenchmarkParseManyPorts is the other half: 80,000 ports are refused by
// count before any is parsed.
func BenchmarkParseManyPorts(b *testing.B) {
	data := manyPorts(80000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("many.toml", data); err == nil {
			b.Fatal("no error")
		}
	}
}

func manyPorts(n int) []byte {
	var sb strings.Builder
	sb.WriteString("[vpn]\nports = [")
	for i := range n {
		fmt.Fprintf(&sb, `"tcp/%d",`, i%65535+1)
	}
	sb.WriteString("]\n")
	return []byte(sb.String())
}

func TestListsAreBounded(t *testing.T) {
	fwd := func(n int) string {
		var sb strings.Builder
		for i := range n {
			fmt.Fprintf(&sb, "%d,", i+1)
		}
		return "[ssh]\nforward_ports = [" + sb.String() + "]\n"
	}
	devs := func(n int) string {
		var sb strings.Builder
		for i := range n {
			fmt.Fprintf(&sb, `"/dev/ttyNOPE%d",`, i)
		}
		return "[vpn]\ndevices = [" + sb.String() + "]\n"
	}
	tests := []struct {
		name, src string
		ok        bool
		want      string
	}{
		{"ports at the limit", string(manyPorts(MaxPorts)), true, ""},
		{"ports over", string(manyPorts(MaxPorts + 1)), false, "many.toml:2:1: vpn.ports lists 257 ports; traycheck watches at most 256"},
		{"80,000 ports", string(manyPorts(80000)), false, "many.toml:2:1: vpn.ports lists 80000 ports"},
		{"forward ports at the limit", fwd(MaxPorts), true, ""},
		{"forward ports over", fwd(MaxPorts + 1), false, "many.toml:2:1: ssh.forward_ports lists 257 ports"},
		{"devices at the limit", devs(MaxDevices), true, ""},
		{"devices over", devs(MaxDevices + 1), false, "many.toml:2:1: vpn.devices lists 65 devices; traycheck watches at most 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("many.toml", []byte(tt.src))
			if tt.ok != (err == nil) || (err != nil && !strings.HasPrefix(err.Error(), tt.want)) {
				t.Fatalf("got %v, want ok=%v %q", err, tt.ok, tt.want)
			}
		})
	}
}
