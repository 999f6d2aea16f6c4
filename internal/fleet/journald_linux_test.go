package fleet

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/power"
	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// realJournal starts the real systemd-journald in a private mount namespace
// (tmpfs over /run/systemd, the journal directories and the catalog database,
// with traycheck's catalog installed there) and returns its PID and socket
// path as seen from outside the namespace.
func realJournal(t *testing.T) (pid int, socket string) {
	t.Helper()
	testenv.Root(t)
	jd := "/lib/systemd/systemd-journald"
	if _, err := os.Stat(jd); err != nil {
		testenv.Missing(t, "systemd-journald (package systemd): %v", err)
	}
	testenv.LookPath(t, "journalctl")
	testenv.LookPath(t, "nsenter")
	unshare := testenv.LookPath(t, "unshare")
	catalog, err := filepath.Abs("traycheck.catalog")
	if err != nil {
		t.Fatal(err)
	}
	script := `set -e
for d in /run/systemd /var/log/journal /run/log /var/lib/systemd/catalog /usr/lib/systemd/catalog; do
  mkdir -p "$d"; mount -t tmpfs tmpfs "$d"
done
mkdir -p /run/systemd/journal
cp "$1" /usr/lib/systemd/catalog/traycheck.catalog
journalctl --update-catalog
exec ` + jd
	p := testenv.Start(t, exec.Command(unshare, "-m", "--propagation", "private", "/bin/sh", "-c", script, "sh", catalog))
	pid = p.Cmd.Process.Pid
	socket = "/proc/" + strconv.Itoa(pid) + "/root" + DefaultJournalSocket
	testenv.WaitFor(t, 10*time.Second, "journald's socket", func() bool {
		if done, err := p.Exited(); done {
			t.Fatalf("journald exited: %v\n%s", err, p.Log.String())
		}
		_, err := os.Stat(socket)
		return err == nil
	})
	return pid, socket
}

func journalctl(t *testing.T, pid int, args ...string) string {
	t.Helper()
	out, err := exec.Command("nsenter", append([]string{"-t", strconv.Itoa(pid), "-m", "journalctl", "--no-pager"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("journalctl %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// The sink's entries reach the real journald, are found by their fields, and
// journalctl -x explains them from traycheck's catalog.
func TestJournalSinkRealJournald(t *testing.T) {
	pid, sock := realJournal(t)
	j := &Journal{Socket: sock}
	defer j.Close()
	s := &Sink{W: j}
	holder := vpnport.Holder{PID: 4242, Name: "python3", Exe: "/usr/bin/python3.11", User: "alice", Cmdline: []string{"python3", "-c", "secret-token"}}
	f := diagnose.Finding{Resource: vpnport.Resource{Kind: vpnport.UDP, Port: 1194}, Cause: diagnose.OtherApp,
		Holders: []vpnport.Holder{holder}, Actions: []diagnose.Action{diagnose.Retry, diagnose.EndProcess},
		Message: "udp/1194 is held by python3 (PID 4242)."}
	s.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.TriggerKind("resume")}, At: time.Now(),
		Findings: []diagnose.Finding{f}, Transitions: []diagnose.Finding{f}})
	s.Power(power.Event{Kind: power.Resume, At: time.Now(), Slept: 90 * time.Second, Source: "logind"})
	s.Result(monitor.Report{Trigger: monitor.Trigger{Kind: "interval"}, Err: errors.New("netlink: permission denied")})

	var entries []map[string]any
	testenv.WaitFor(t, 5*time.Second, "the entries in the journal", func() bool {
		out := journalctl(t, pid, "-o", "json", "SYSLOG_IDENTIFIER=traycheck")
		entries = nil
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil {
				entries = append(entries, m)
			}
		}
		return len(entries) >= 4
	})
	byKind := map[string]map[string]any{}
	for _, e := range entries {
		byKind[e["TRAYCHECK_EVENT"].(string)] = e
	}
	oa := byKind["other-app"]
	if oa == nil || oa["MESSAGE_ID"] != "8927f39e8a1d45258a0f487decd6e083" || oa["PRIORITY"] != "4" ||
		oa["TRAYCHECK_RESOURCE"] != "udp/1194" || oa["TRAYCHECK_HOLDER_PID"] != "4242" || oa["TRAYCHECK_TRIGGER"] != "resume" ||
		oa["TRAYCHECK_ACTIONS"] != "retry,end-process" {
		t.Errorf("other-app entry: %v", oa)
	}
	if _, ok := oa["TRAYCHECK_HOLDER_CMDLINE"]; ok {
		t.Error("the command line reached the journal without the policy allowing it")
	}
	if r := byKind["resume"]; r == nil || r["TRAYCHECK_SLEPT_S"] != "90" || r["TRAYCHECK_SOURCE"] != "logind" {
		t.Errorf("resume entry: %v", r)
	}
	if e := byKind["probe-error"]; e == nil || e["PRIORITY"] != "3" || !strings.Contains(e["TRAYCHECK_ERROR"].(string), "permission denied") {
		t.Errorf("probe-error entry: %v", e)
	}
	if byKind["action-offered"] == nil {
		t.Error("no action-offered entry")
	}
	// journalctl's own field match, as a fleet's collector would query.
	if out := journalctl(t, pid, "-o", "json", "TRAYCHECK_CAUSE=other-app"); strings.Count(out, "\n") < 1 {
		t.Errorf("TRAYCHECK_CAUSE=other-app matched nothing")
	}
	x := journalctl(t, pid, "-x", "MESSAGE_ID=8927f39e8a1d45258a0f487decd6e083")
	if !strings.Contains(x, "The VPN cannot use udp/1194: python3 (PID 4242, /usr/bin/python3.11) holds it") {
		t.Errorf("journalctl -x does not explain from the catalog:\n%s", x)
	}
}

// With the policy's share_cmdline, the holder's command line is a field.
func TestJournalCmdlineOnlyWithPolicy(t *testing.T) {
	pid, sock := realJournal(t)
	j := &Journal{Socket: sock, ShareCmdline: true}
	defer j.Close()
	ev := Event{Kind: Kind(diagnose.OtherApp), Holders: []vpnport.Holder{{PID: 1, Name: "x", Cmdline: []string{"x", "--flag"}}}}
	if err := j.Write(ev); err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 5*time.Second, "the entry with its command line", func() bool {
		return strings.Contains(journalctl(t, pid, "-o", "json", "TRAYCHECK_HOLDER_CMDLINE=x --flag"), `"x --flag"`)
	})
}
