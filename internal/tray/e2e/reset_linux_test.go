//go:build linux

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/testenv"
)

// TestResetAdapterConfirmedByClick is the notification confirmation that was
// once silently dropped: a VXLAN interface in a private network namespace
// holds the watched port (kernel-owned), the tray runs in that namespace
// with the interface as its adapter, and real clicks in xfce4-notifyd on
// "Reset adapter" and then on the confirmation's "Reset it" take the real
// interface down and up.
func TestResetAdapterConfirmedByClick(t *testing.T) {
	ctx := requireDesktop(t)
	ns := testenv.NewNetNS(t)
	port := freeUDPPort(t)
	ip := testenv.LookPath(t, "ip")
	for _, args := range [][]string{
		{"-n", ns.Name, "link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", fmt.Sprint(port), "local", "127.0.0.1"},
		{"-n", ns.Name, "link", "set", "vx0", "up"},
	} {
		if out, err := exec.Command(ip, args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %q: %v\n%s", args, err, out)
		}
	}
	c, w := watchNotes(ctx, t)

	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("[vpn]\nports = [\"udp/%d\"]\nadapter = \"vx0\"\n[check]\ninterval = \"1s\"\n", port)), 0o600); err != nil {
		t.Fatal(err)
	}
	tr := &trayProc{log: &testenv.SyncBuffer{}}
	// `ip netns exec` execs the binary: the tray keeps this PID, and reaches
	// the session bus through its socket path.
	tr.cmd = exec.Command(ip, "netns", "exec", ns.Name, bin, "tray", "--config", cfg)
	tr.cmd.Env = append(os.Environ(), "TRAYCHECK_DEBUG=1", "TMPDIR="+t.TempDir(), "XDG_CONFIG_HOME="+filepath.Join(dir, "xdg"))
	tr.cmd.Stdout, tr.cmd.Stderr = tr.log, tr.log
	if err := tr.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		tr.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { tr.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			tr.cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("traycheck log:\n%s", tr.log.String())
		}
	})
	findItem(ctx, t, c, tr.cmd.Process.Pid)

	n := w.waitNote(ctx, t, fmt.Sprintf("udp/%d in use", port))
	// The label says a question follows.
	for _, want := range []string{"reset-adapter", "Reset adapter…"} {
		if !slices.Contains(n.Actions, want) {
			t.Fatalf("buttons %s lack %q", describe(n.Actions), want)
		}
	}
	i, nb := buttonIndex(t, n.Actions, "reset-adapter")
	clickButton(ctx, t, "notification-reset", i, nb)
	poll(ctx, t, "xfce4-notifyd to report the click on Reset adapter", func() bool { return w.sawAction(n.ID, "reset-adapter") })

	cn := w.waitNote(ctx, t, "Reset network adapter vx0?")
	if want := []string{"confirm-reset-adapter", "Reset it", "cancel", "Cancel"}; !slices.Equal(cn.Actions, want) {
		t.Fatalf("confirmation buttons = %q, want %q", cn.Actions, want)
	}
	if strings.Contains(tr.log.String(), "ran command") {
		t.Fatal("the adapter was touched before the confirmation")
	}
	mon := exec.CommandContext(ctx, ip, "-n", ns.Name, "-o", "monitor", "link")
	events := &testenv.SyncBuffer{}
	mon.Stdout = events
	if err := mon.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mon.Process.Kill(); mon.Wait() })
	time.Sleep(100 * time.Millisecond) // let ip monitor subscribe before the reset
	clickButton(ctx, t, "notification-reset-confirm", 0, 2)
	poll(ctx, t, "xfce4-notifyd to report the click on Reset it", func() bool { return w.sawAction(cn.ID, "confirm-reset-adapter") })

	for _, step := range []string{"down", "up"} {
		want := fmt.Sprintf(`argv="[ip link set dev vx0 %s]" elevated=true output="" err=<nil>`, step)
		poll(ctx, t, "the tray to run "+want, func() bool { return strings.Contains(tr.log.String(), want) })
	}
	poll(ctx, t, "the namespace to see vx0 go down and up", func() bool {
		s := events.String()
		return strings.Contains(s, "vx0") && strings.Contains(s, "state DOWN") && strings.Count(s, "vx0") >= 2
	})
	poll(ctx, t, "the action to be reported done", func() bool {
		return strings.Contains(tr.log.String(), `msg="action done" component=tray action=reset-adapter`)
	})
	// ... and shown (issue 25).
	w.waitNote(ctx, t, "Reset adapter vx0")
}
