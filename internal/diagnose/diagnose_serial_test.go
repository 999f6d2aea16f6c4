package diagnose

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/vpnport"
)

func TestDiagnoseDeviceLockHolder(t *testing.T) {
	tty := vpnport.Resource{Kind: vpnport.Device, Path: "/dev/ttyUSB0"}
	minicom := vpnport.Holder{PID: 4919, Name: "minicom", Exe: "/usr/bin/minicom", User: "root", Cmdline: []string{"minicom", "-D", "/dev/ttyUSB0"}}
	pppd := vpnport.Holder{PID: 812, Name: "pppd", Exe: "/usr/sbin/pppd", User: "root", Cmdline: []string{"pppd"}}
	c := Context{VPNClients: []string{"pppd"}}

	lock := func(h vpnport.Holder) *vpnport.LockFile {
		return &vpnport.LockFile{Path: "/run/lock/LCK..ttyUSB0", PID: h.PID, Alive: true, Holder: &h}
	}
	// A live lock's program is named, but never offered to be ended on
	// the word of a file anyone may write.
	f := Diagnose(vpnport.Observation{Resource: tty, Exists: true, Lock: lock(minicom)}, c)
	if f.Cause != OtherApp || len(f.Holders) != 1 || f.Holders[0].PID != 4919 || f.Has(EndProcess) || !slices.Equal(f.Actions, []Action{Retry}) {
		t.Errorf("live lock: %+v", f)
	}
	for _, want := range []string{"locked by minicom (PID 4919, /usr/bin/minicom, user root)", "/run/lock/LCK..ttyUSB0"} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("message %q lacks %q", f.Message, want)
		}
	}
	b, _ := json.Marshal(f)
	if strings.Count(string(b), `"pid":4919`) != 2 || strings.Contains(string(b), `"holder"`) {
		t.Errorf("JSON names the holder once in holders and once in lock, without a nested holder: %s", b)
	}
	// The VPN's own dialer holding its modem is the VPN working.
	if f := Diagnose(vpnport.Observation{Resource: tty, Exists: true, Lock: lock(pppd)}, c); f.Cause != VPNClient || f.NeedsAttention() {
		t.Errorf("pppd's own lock: %+v", f)
	}
	// An open holder (fd or flock) wins: that one can be ended.
	f = Diagnose(vpnport.Observation{Resource: tty, Exists: true, Holders: []vpnport.Holder{minicom}, Lock: lock(minicom)}, c)
	if f.Cause != OtherApp || !f.Has(EndProcess) {
		t.Errorf("open and locked: %+v", f)
	}
	// A planted non-lock blocks minicom and cu but blames no one, and
	// remove-lock (which needs a PID to re-verify) is not offered.
	bad := &vpnport.BadLock{Path: "/run/lock/LCK..ttyUSB0", Why: "not a regular file: a FIFO"}
	f = Diagnose(vpnport.Observation{Resource: tty, Exists: true, BadLock: bad}, c)
	if f.Cause != CrashedLeftover || !slices.Equal(f.Actions, []Action{Retry}) || len(f.Holders) != 0 || f.Lock != nil ||
		!strings.Contains(f.Message, "a FIFO") || !strings.Contains(f.Message, bad.Path) || !strings.Contains(f.Message, "Delete it as administrator") {
		t.Errorf("planted FIFO: %+v", f)
	}
	// A real stale lock is dealt with first; the bad one shows on the next check.
	dead := &vpnport.LockFile{Path: "/run/lock/LCK..pts_0", PID: 31337}
	if f := Diagnose(vpnport.Observation{Resource: tty, Exists: true, Lock: dead, BadLock: bad}, c); !f.Has(RemoveLock) || f.Lock.Path != dead.Path {
		t.Errorf("stale and bad lock: %+v", f)
	}
}
