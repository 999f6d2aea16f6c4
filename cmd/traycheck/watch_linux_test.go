package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/power/powertest"
)

// watchLine is one line of `traycheck watch --json`.
type watchLine struct {
	Event     string            `json:"event"`
	SleptS    *int64            `json:"slept_s"`
	Source    string            `json:"source"`
	Trigger   string            `json:"trigger"`
	CheckedAt string            `json:"checked_at"`
	Findings  []json.RawMessage `json:"findings"`
	Error     string            `json:"error"`
}

// TestWatchJSONWakesOnLogind runs the real binary (testscript put it on
// PATH) against a private system bus: a fake logind sends the machine to
// sleep and wakes it, and the output must show the suspend, the resume, and
// a check triggered by the resume, within the generous bound of 2 s.
func TestWatchJSONWakesOnLogind(t *testing.T) {
	bus := powertest.StartBus(t) // sets DBUS_SYSTEM_BUS_ADDRESS, inherited below
	logind := bus.StartLogind()
	bin, err := exec.LookPath("traycheck")
	if err != nil {
		t.Fatalf("testscript should have put traycheck on PATH: %v", err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "watch.toml")
	if err := os.WriteFile(cfg, []byte("[vpn]\nports = [\"udp/1194\"]\n[check]\ninterval = \"1h\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "watch", "--json", "--config", cfg)
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+dir, "HOME="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() error {
		var err error
		once.Do(func() {
			cmd.Process.Signal(syscall.SIGINT)
			err = cmd.Wait()
		})
		return err
	}
	t.Cleanup(func() { stop() })

	lines := make(chan watchLine, 64)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var l watchLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Errorf("not a JSON line: %q: %v", sc.Text(), err)
				continue
			}
			lines <- l
		}
		close(lines)
	}()
	next := func(within time.Duration) (watchLine, bool) {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("watch exited early; stderr:\n%s", stderr.String())
			}
			return l, true
		case <-time.After(within):
			return watchLine{}, false
		}
	}

	first, ok := next(10 * time.Second)
	if !ok || first.Event != "check" || first.Trigger != "interval" || len(first.Findings) != 1 {
		t.Fatalf("first line %+v, want the first check of one resource", first)
	}
	if _, err := time.Parse(time.RFC3339, first.CheckedAt); err != nil {
		t.Fatalf("checked_at %q: %v", first.CheckedAt, err)
	}

	// The logind source subscribes on its own goroutine: sleep and wake
	// until it has seen a whole pair (it may have come up between the two
	// signals of an earlier one).
	var woke time.Time
	var got []watchLine
	pair := func() bool {
		n := len(got)
		return n >= 2 && got[n-2].Event == "suspend" && got[n-1].Event == "resume"
	}
	for attempt := 0; !pair(); attempt++ {
		if attempt == 50 {
			t.Fatalf("no resume line after %d sleeps; got %+v; stderr:\n%s", attempt, got, stderr.String())
		}
		if err := logind.PrepareForSleep(true); err != nil {
			t.Fatal(err)
		}
		if err := logind.PrepareForSleep(false); err != nil {
			t.Fatal(err)
		}
		woke = time.Now()
		for {
			l, ok := next(200 * time.Millisecond)
			if !ok {
				break
			}
			got = append(got, l)
			if l.Event == "resume" {
				break
			}
		}
	}
	if got[len(got)-2].Source != "logind" {
		t.Fatalf("lines %+v: want a logind suspend before the resume", got)
	}
	resume := got[len(got)-1]
	if resume.Source != "logind" || resume.SleptS == nil {
		t.Fatalf("resume line %+v: want source logind and slept_s", resume)
	}
	check, ok := next(10 * time.Second)
	latency := time.Since(woke)
	if !ok || check.Event != "check" || check.Trigger != "resume" || len(check.Findings) != 1 {
		t.Fatalf("after the resume: %+v, want a check with trigger resume", check)
	}
	t.Logf("wake-to-check latency (PrepareForSleep(false) sent to check line read): %v", latency)
	if latency > 2*time.Second {
		t.Errorf("wake-to-check latency %v, want under 2s", latency)
	}
	if err := stop(); err != nil {
		t.Fatalf("watch did not exit 0 on SIGINT: %v; stderr:\n%s", err, stderr.String())
	}
}
