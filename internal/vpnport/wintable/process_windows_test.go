package wintable

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestProcessThisOne reads this test process the way the probe reads a
// socket's owner: its snapshot name, image path, start time and user.
func TestProcessThisOne(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	names, err := ProcessNames()
	if err != nil {
		t.Fatal(err)
	}
	if got := names[os.Getpid()]; !strings.EqualFold(got, filepath.Base(self)) {
		t.Errorf("snapshot names PID %d %q, want %q", os.Getpid(), got, filepath.Base(self))
	}
	p := ProcessInfo(os.Getpid())
	if p.PID != os.Getpid() || !strings.EqualFold(filepath.Base(p.Exe), filepath.Base(self)) {
		t.Errorf("process %+v, want PID %d and image %s", p, os.Getpid(), self)
	}
	if p.Started.IsZero() || p.Started.After(time.Now()) {
		t.Errorf("started %v: want a time before now", p.Started)
	}
	if !strings.Contains(p.User, `\`) {
		t.Errorf("user %q, want DOMAIN\\account", p.User)
	}
	if p.Name != "" || p.Services != nil {
		t.Errorf("ProcessInfo filled name %q, services %v: those come from the snapshots", p.Name, p.Services)
	}
}

func TestServicesSorted(t *testing.T) {
	svcs, err := Services()
	if err != nil {
		t.Fatal(err)
	}
	// Every Windows (and Wine's services.exe) runs some service: an empty
	// map would mean the enumeration read nothing.
	if len(svcs) == 0 {
		t.Fatal("no running service found")
	}
	for pid, names := range svcs {
		if len(names) == 0 || !slices.IsSorted(names) {
			t.Errorf("PID %d: services %v, want a sorted non-empty list", pid, names)
		}
	}
}
