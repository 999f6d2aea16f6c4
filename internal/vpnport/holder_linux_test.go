package vpnport

import (
	"os"
	"slices"
	"testing"

	"github.com/traycheck/traycheck/internal/vpnport/procfs"
)

// Every field of procfs's record reaches the Holder: this test process,
// read both ways.
func TestHolderFromProcess(t *testing.T) {
	var r procfs.Reader
	p, ok := r.Process(os.Getpid(), 0)
	if !ok {
		t.Fatal("procfs does not read this process")
	}
	var h linuxHolders
	hd, ok := h.holder(os.Getpid(), p.StartTicks)
	if !ok {
		t.Fatal("no holder for this process at its own start time")
	}
	if hd.PID != p.PID || hd.Name != p.Comm || hd.Exe != p.Exe || hd.User != p.User || hd.UID != p.UID ||
		!hd.Started.Equal(p.Started) || !slices.Equal(hd.Cmdline, p.Cmdline) || hd.Unit != p.Unit || hd.UserUnit != p.UserUnit {
		t.Errorf("holder %+v\nfrom    %+v", hd, p)
	}
	if hd.Name == "" || hd.Exe == "" || len(hd.Cmdline) == 0 || hd.Started.IsZero() {
		t.Errorf("holder of this process lacks what /proc shows: %+v", hd)
	}
	if _, ok := h.holder(os.Getpid(), p.StartTicks+1); ok {
		t.Error("a holder for another start time of this PID")
	}
}
