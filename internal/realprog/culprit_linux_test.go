package realprog

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/testenv"
)

// dnsmasq running as a systemd service (its process in a cgroup named as
// systemd names one; systemd itself does not run here, the kernel's cgroup
// hierarchy is real): the finding says to stop the unit, with the command.
func TestDnsmasqAsSystemdService(t *testing.T) {
	testenv.Root(t)
	root := "/sys/fs/cgroup/unified"
	if _, err := os.Stat(filepath.Join(root, "cgroup.procs")); err != nil {
		root = "/sys/fs/cgroup"
	}
	slice := filepath.Join(root, fmt.Sprintf("tcrp%d.slice", os.Getpid()))
	svc := filepath.Join(slice, "dnsmasq.service")
	if err := os.MkdirAll(svc, 0o755); err != nil {
		testenv.Missing(t, "a writable cgroup v2 hierarchy: %v", err)
	}
	ns := testenv.NewNetNS(t)
	dnsmasq := testenv.LookPath(t, "dnsmasq")
	p := testenv.Start(t, ns.Command(context.Background(), dnsmasq, "-k", "--conf-file=/dev/null", "--port=5353",
		"--listen-address=127.0.0.1", "--bind-interfaces", "--pid-file=", "--log-facility=-"))
	t.Cleanup(func() {
		p.Stop()
		os.Remove(svc)
		os.Remove(slice)
	})
	if err := os.WriteFile(filepath.Join(svc, "cgroup.procs"), []byte(strconv.Itoa(p.Cmd.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	waitHeld(t, ns, p, "udp", 5353)
	code, fs := check(t, ns, nil, writeConfig(t, vpnConfig("udp/5353")))
	f := only(t, fs)
	t.Log(f.Message)
	if code != 1 || f.Cause != "other-app" || f.role() != "systemd-service" ||
		!slices.Contains(f.Commands, "sudo systemctl stop dnsmasq.service") ||
		!strings.Contains(f.Message, "the systemd service dnsmasq.service") {
		t.Fatalf("exit %d %s role %q commands %q: %s", code, f.Cause, f.role(), f.Commands, f.Message)
	}
}
