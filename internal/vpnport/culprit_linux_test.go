package vpnport

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
// holder says which unit it runs in (the fix for a service is to stop the
// unit, not the process). systemd itself does not run here; the kernel's
// cgroup v2 hierarchy is real.
func TestHolderUnitFromRealCgroup(t *testing.T) {
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
	ns := testenv.NewNetNS(t)
	p := testenv.Start(t, ns.Command(context.Background(), dnsmasq, "-k", "--conf-file=/dev/null", "--port=5353", "--listen-address=127.0.0.1", "--bind-interfaces", "--pid-file="))
	pid := p.Cmd.Process.Pid
	t.Cleanup(func() {
		p.Stop()
		os.Remove(svc)
		os.Remove(slice)
	})
	if err := os.WriteFile(filepath.Join(svc, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
		t.Fatalf("moving dnsmasq into %s: %v", svc, err)
	}
	var hd Holder
	testenv.WaitFor(t, 5*time.Second, "dnsmasq's holder with its unit", func() bool {
		var ok bool
		hd, ok = (&linuxHolders{}).holder(pid, 0)
		return ok && hd.Name == "dnsmasq" && hd.Unit != ""
	})
	if hd.Unit != "dnsmasq.service" || hd.UserUnit {
		t.Fatalf("holder %+v", hd)
	}
	if !strings.HasSuffix(hd.Exe, "dnsmasq") {
		t.Errorf("exe %q", hd.Exe)
	}
}
