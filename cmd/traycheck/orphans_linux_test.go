package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/remedy"
	"github.com/traycheck/traycheck/internal/testenv"
)

// TestOrphanedGunicornWorkers stages issue 10's item 5 with the real
// program: gunicorn binds the port and forks three sync workers, then its
// master is killed. The workers keep the listening socket (a sync worker
// only notices its new parent at its next wake-up, half the --timeout
// later: 15 s by default, 300 s here), so the port stays held by three
// processes and no parent links them. `traycheck check` must name all three, say so, and offer
// end-process; end-process must ask once naming all three and then end all
// three, which frees the port.
func TestOrphanedGunicornWorkers(t *testing.T) {
	gunicorn := testenv.LookPath(t, "gunicorn")
	ns := testenv.NewNetNS(t)
	dir := t.TempDir()
	app := "def app(environ, start_response):\n    start_response('200 OK', [])\n    return [b'ok']\n"
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(app), 0o644); err != nil {
		t.Fatal(err)
	}
	const port = 18000
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	master := testenv.Start(t, ns.Command(ctx, gunicorn, "--workers", "3", "--timeout", "600",
		"--bind", fmt.Sprintf("127.0.0.1:%d", port), "--chdir", dir, "app:app"))
	booting := regexp.MustCompile(`Booting worker with pid: (\d+)`)
	var workers []int
	testenv.WaitFor(t, 30*time.Second, "three gunicorn workers", func() bool {
		workers = workers[:0]
		for _, m := range booting.FindAllStringSubmatch(master.Log.String(), -1) {
			pid, _ := strconv.Atoi(m[1])
			workers = append(workers, pid)
		}
		return len(workers) == 3
	})
	slices.Sort(workers)
	// A sync worker checks its parent once per loop, just before it waits
	// in select() for --timeout/2: one still booting when the master dies
	// exits at once ("Parent changed"). Kill the master only when every
	// worker sleeps in its select.
	testenv.WaitFor(t, 30*time.Second, "the workers to wait in select()", func() bool {
		for _, pid := range workers {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/wchan", pid))
			if err != nil || !(strings.Contains(string(b), "poll") || strings.Contains(string(b), "select")) {
				return false
			}
		}
		return true
	})
	// Cleanup kills the process group, which the orphans keep.
	if err := syscall.Kill(master.Cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Not master.Exited: that waits for the output pipe, which the workers
	// still hold; the master itself is reaped at once.
	testenv.WaitFor(t, 10*time.Second, "the gunicorn master to die", func() bool {
		return errors.Is(syscall.Kill(master.Cmd.Process.Pid, 0), syscall.ESRCH)
	})

	bin := filepath.Join(t.TempDir(), "traycheck") // the test binary, run as traycheck (TestMain)
	if err := os.Symlink(os.Args[0], bin); err != nil {
		t.Fatal(err)
	}
	check := func() diagnose.Finding {
		t.Helper()
		cmd := ns.Command(ctx, bin, "check", "--json", fmt.Sprintf("tcp/%d", port))
		cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+dir, "HOME="+dir)
		out, err := cmd.Output()
		var ee interface{ ExitCode() int }
		if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
			t.Fatalf("traycheck check: %v\n%s", err, out)
		}
		var r struct{ Findings []diagnose.Finding }
		if err := json.Unmarshal(out, &r); err != nil || len(r.Findings) != 1 {
			t.Fatalf("check --json: %v\n%s", err, out)
		}
		return r.Findings[0]
	}

	f := check()
	var got []int
	for _, h := range f.Holders {
		got = append(got, h.PID)
	}
	if !slices.Equal(got, workers) {
		t.Fatalf("holders %v, want the three orphaned workers %v\n%+v", got, workers, f)
	}
	if f.Cause != diagnose.OtherApp || !f.Has(diagnose.EndProcess) || !strings.Contains(f.Message, "held by 3 processes") {
		t.Errorf("finding %s %v %q, want other-app with end-process, saying it is held by 3 processes", f.Cause, f.Actions, f.Message)
	}
	if len(f.Together) != 1 || !slices.Equal(f.Together[0], workers) {
		t.Errorf("together = %v, want one group of %v", f.Together, workers)
	}

	act, _ := f.ActHolder()
	r := remedy.New(remedy.Options{Grace: 5 * time.Second})
	_, err := r.Do(ctx, remedy.Request{Action: diagnose.EndProcess, Finding: f, PID: act.PID})
	var ce *remedy.ConfirmationError
	if !errors.As(err, &ce) {
		t.Fatalf("end-process without confirmation = %v, want a question", err)
	}
	for _, pid := range workers {
		if !strings.Contains(ce.Prompt, fmt.Sprintf("PID %d,", pid)) {
			t.Errorf("prompt %q does not name worker %d", ce.Prompt, pid)
		}
		if syscall.Kill(pid, 0) != nil {
			t.Fatalf("worker %d ended before the confirmation", pid)
		}
	}
	res, err := r.Do(ctx, remedy.Request{Action: diagnose.EndProcess, Finding: f, PID: act.PID, Confirmed: true})
	if err != nil {
		t.Fatalf("confirmed end-process: %v", err)
	}
	t.Log(res.Message)
	if f := check(); f.Cause != diagnose.Free {
		t.Errorf("after end-process: %s %q, want free", f.Cause, f.Message)
	}
}
