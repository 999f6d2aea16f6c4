package procfs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/testenv"
)

// A real dnsmasq moved into a cgroup named as systemd names a service's: the
// process record says which unit it runs in (the fix for a service is to stop the
// unit, not the process). systemd itself does not run here; the kernel's
// cgroup v2 hierarchy is real.
func TestProcessUnitFromRealCgroup(t *testing.T) {
	testenv.Root(t)
	dnsmasq := testenv.LookPath(t, "dnsmasq")
	root := "/sys/fs/cgroup/unified"
	if _, err := os.Stat(filepath.Join(root, "cgroup.procs")); err != nil {
		root = "/sys/fs/cgroup"
		if _, err := os.Stat(filepath.Join(root, "cgroup.subtree_control")); err != nil {
			testenv.Missing(t, "a writable cgroup v2 hierarchy: %v", err)
		}
	}
	slice := filepath.Join(root, fmt.Sprintf("tc%d.slice", os.Getpid()))
	svc := filepath.Join(slice, "dnsmasq.service")
	if err := os.MkdirAll(svc, 0o755); err != nil {
		testenv.Missing(t, "creating a cgroup: %v", err)
	}
	// Registered first, so it runs last: after dnsmasq has left the cgroup.
	t.Cleanup(func() {
		os.Remove(svc)
		os.Remove(slice)
	})
	ns := testenv.NewNetNS(t)
	d := testenv.Start(t, ns.Command(context.Background(), dnsmasq, "-k", "--conf-file=/dev/null", "--port=5353", "--listen-address=127.0.0.1", "--bind-interfaces", "--pid-file="))
	pid := d.Cmd.Process.Pid
	t.Cleanup(d.Stop)
	if err := os.WriteFile(filepath.Join(svc, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
		t.Fatalf("moving dnsmasq into %s: %v", svc, err)
	}
	var p Process
	testenv.WaitFor(t, 5*time.Second, "dnsmasq's process with its unit", func() bool {
		var ok bool
		p, ok = (&Reader{}).Process(pid, 0)
		return ok && p.Comm == "dnsmasq" && p.Unit != ""
	})
	if p.Unit != "dnsmasq.service" || p.UserUnit {
		t.Fatalf("process %+v", p)
	}
	if !strings.HasSuffix(p.Exe, "dnsmasq") {
		t.Errorf("exe %q", p.Exe)
	}
}

// The Reader describes this process as ps would, refuses it under another
// start time (a reused PID), and computes Started as Process does, to the
// tick.
func TestReaderProcess(t *testing.T) {
	var r Reader
	me := os.Getpid()
	p, ok := r.Process(me, 0)
	if !ok {
		t.Fatal("no record of this process")
	}
	exe, _ := os.Executable()
	if p.PID != me || p.UID != uint32(os.Geteuid()) || p.Exe != exe || len(p.Cmdline) == 0 || p.Cmdline[0] != os.Args[0] {
		t.Errorf("record %+v, want this process (exe %s, args %q)", p, exe, os.Args)
	}
	if p.StartTicks == 0 || p.Started.IsZero() || p.Started.After(time.Now()) || p.User == "" {
		t.Errorf("start %d %v, user %q", p.StartTicks, p.Started, p.User)
	}
	if _, ok := r.Process(me, p.StartTicks); !ok {
		t.Error("refused under its own start time")
	}
	if _, ok := r.Process(me, p.StartTicks+1); ok {
		t.Error("accepted under another start time (a reused PID)")
	}
	started, err := r.Started(me)
	if err != nil || !started.Equal(p.Started) {
		t.Errorf("Started = %v %v, want %v", started, err, p.Started)
	}
	if _, ok := r.Process(1<<22+1, 0); ok {
		t.Error("a PID above pid_max described")
	}
	if _, err := (&Reader{Root: t.TempDir()}).Started(me); err == nil {
		t.Error("Started from an empty root")
	}
}

// An empty directory is no procfs that lists every process: Limited.
func TestReaderLimited(t *testing.T) {
	if !(&Reader{Root: t.TempDir()}).Limited() {
		t.Error("an empty root is not limited")
	}
	comm, err := os.ReadFile("/proc/2/comm")
	if err == nil && strings.TrimSpace(string(comm)) == "kthreadd" {
		mi, _ := os.ReadFile("/proc/self/mountinfo")
		if got, want := (&Reader{}).Limited(), HidesPIDs(mi, "/proc"); got != want {
			t.Errorf("Limited() = %v in the initial PID namespace, want %v (hidepid)", got, want)
		}
	}
}
