package vpnport

import (
	"context"
	"testing"
	"time"
)

// The netsh leaf's ranges become PortRanges, and a port finds its range
// by protocol.
func TestNetshRangesAsPortRanges(t *testing.T) {
	c := newNetshRanges(func(_ context.Context, args []string) ([]byte, error) {
		if args[1] == "ipv6" {
			return nil, nil
		}
		if args[4] == "protocol=udp" {
			return []byte("   500  500\r\n"), nil
		}
		return []byte("  50000  50059  *\r\n"), nil
	}, time.Minute)
	rs, err := c.get(context.Background(), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(rs) != 2 {
		t.Fatalf("%v, %v", rs, err)
	}
	if pr := rangeContaining(rs, Resource{Kind: TCP, Port: 50010}); pr == nil || pr.Start != 50000 || !pr.Administered || pr.Proto != TCP {
		t.Errorf("tcp/50010 in %v", pr)
	}
	if pr := rangeContaining(rs, Resource{Kind: UDP, Port: 500}); pr == nil || pr.Proto != UDP {
		t.Errorf("udp/500 in %v", pr)
	}
	if pr := rangeContaining(rs, Resource{Kind: UDP, Port: 50010}); pr != nil {
		t.Errorf("udp/50010 matched tcp range %v", pr)
	}
	if pr := rangeContaining(rs, Resource{Kind: Device, Path: "COM3"}); pr != nil {
		t.Errorf("a device matched %v", pr)
	}
}
