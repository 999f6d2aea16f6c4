package freeport

import (
	"testing"

	"github.com/traycheck/traycheck/internal/vpnport"
)

func TestEphemeralRangeReadsProc(t *testing.T) {
	old := localPortRangePath
	t.Cleanup(func() { localPortRangePath = old })
	localPortRangePath = "testdata/ip_local_port_range_wide"
	r, err := EphemeralRange()
	if err != nil || r != (vpnport.PortRange{Start: 1024, End: 65000}) {
		t.Fatalf("EphemeralRange() = %v, %v", r, err)
	}
	localPortRangePath = "testdata/does-not-exist"
	if _, err := EphemeralRange(); err == nil {
		t.Fatal("no error for a missing file")
	}
	// And the real one parses on this machine.
	localPortRangePath = old
	if r, err := EphemeralRange(); err != nil || r.Start == 0 {
		t.Fatalf("real %s: %v, %v", old, r, err)
	}
}
