package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/testenv"
)

// Issue 17, items 2 and 4, staged against the real binary (testscript put
// it on PATH): a FIFO or /dev/zero as the config or the log, a link planted
// as the log, and a signal to a command stuck in a read. Time bounds are
// generous: they catch a hang, they do not measure speed.

const hangBound = 10 * time.Second

// runBin runs traycheck with env added and returns its exit code, stdout and
// stderr, failing the test if it is still running after hangBound.
func runBin(t *testing.T, env []string, stdin *os.File, args ...string) (int, string, string) {
	t.Helper()
	bin, err := exec.LookPath("traycheck")
	if err != nil {
		t.Fatalf("testscript should have put traycheck on PATH: %v", err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != nil {
		cmd.Stdin = stdin
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return cmd.ProcessState.ExitCode(), out.String(), errb.String()
	case <-time.After(hangBound):
		cmd.Process.Kill()
		<-done
		t.Fatalf("traycheck %v hung; stderr:\n%s", args, errb.String())
		return 0, "", ""
	}
}

// privateHome gives the child its own config, cache and runtime dirs.
func privateHome(t *testing.T) (dir string, env []string) {
	dir = t.TempDir()
	run := filepath.Join(dir, "run")
	if err := os.Mkdir(run, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir, []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(dir, "cache"), "XDG_RUNTIME_DIR=" + run,
		"DBUS_SESSION_BUS_ADDRESS=", "DISPLAY=", "WAYLAND_DISPLAY="}
}

func TestHostileConfigNeverHangs(t *testing.T) {
	dir, env := privateHome(t)
	fifo := filepath.Join(dir, "fifo.toml")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.toml")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []string{fifo, zero} {
		for _, args := range [][]string{
			{"config", "validate", "--config", cfg},
			{"check", "--config", cfg},
			{"watch", "--config", cfg},
			{"report", "--config", cfg},
			{"tray", "--config", cfg},
		} {
			code, _, stderr := runBin(t, env, nil, args...)
			if code != exitUsage || !strings.Contains(stderr, "not a regular file") {
				t.Errorf("traycheck %v: exit %d, stderr %q; want exit 2 naming the file type", args, code, stderr)
			}
		}
	}
}

// TestSignalEndsStuckCommand: `traycheck explain` reads standard input, here
// a FIFO whose writer stays open and silent, so the read never returns and
// no context reaches it. SIGTERM (then, in a second run, Ctrl-C's SIGINT)
// must still end it, with the shell's code for the signal.
func TestSignalEndsStuckCommand(t *testing.T) {
	bin, err := exec.LookPath("traycheck")
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		dir, env := privateHome(t)
		fifo := filepath.Join(dir, "stdin")
		if err := unix.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := os.OpenFile(fifo, os.O_RDONLY|unix.O_NONBLOCK, 0)
		if err != nil {
			t.Fatal(err)
		}
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		unix.SetNonblock(int(r.Fd()), false)
		cmd := exec.Command(bin, "explain")
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdin = r
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		r.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		time.Sleep(300 * time.Millisecond) // let it reach the read
		select {
		case <-done:
			t.Fatalf("explain ended before the signal: %s", errb.String())
		default:
		}
		sent := time.Now()
		cmd.Process.Signal(sig)
		select {
		case <-done:
		case <-time.After(hangBound):
			cmd.Process.Kill()
			<-done
			t.Fatalf("explain still ran %v after %v", hangBound, sig)
		}
		w.Close()
		t.Logf("%v: exited %v after the signal", sig, time.Since(sent).Round(time.Millisecond))
		if got := cmd.ProcessState.ExitCode(); got != 128+int(sig) {
			t.Errorf("%v: exit %d, want %d; stderr %q", sig, got, 128+int(sig), errb.String())
		}
	}
}

// TestPlantedLogIsRefused plants the log as a link to a file and as a link
// to /dev/zero: `watch` refuses it with a clear message and keeps running on
// stderr, `report` reads nothing through it and finishes; the victim file is
// untouched.
func TestPlantedLogIsRefused(t *testing.T) {
	dir, env := privateHome(t)
	logDir := filepath.Join(dir, "cache", "traycheck")
	if err := os.MkdirAll(logDir, 0o700); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(logDir, "traycheck.log")
	if err := os.Symlink(victim, logPath); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "c.toml")
	if err := os.WriteFile(cfg, []byte("[vpn]\nports = [\"udp/1194\"]\n[check]\ninterval = \"1h\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bin, _ := exec.LookPath("traycheck")
	cmd := exec.Command(bin, "watch", "--json", "--config", cfg)
	cmd.Env = append(os.Environ(), env...)
	var out, errb testenv.SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(hangBound)
	for !strings.Contains(out.String(), `"event":"check"`) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	if !strings.Contains(out.String(), `"event":"check"`) {
		t.Errorf("watch did not keep running: stdout %q stderr %q", out.String(), errb.String())
	}
	if !strings.Contains(errb.String(), "no log file") || !strings.Contains(errb.String(), "symbolic link") {
		t.Errorf("stderr does not say why the log was refused: %q", errb.String())
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious\n" {
		t.Errorf("the victim now holds %q", b)
	}

	// The report reads the journal beside the log (never the log): a link
	// to /dev/zero planted there is refused, and the report still written.
	journalPath := filepath.Join(filepath.Dir(logPath), "journal.jsonl")
	os.Remove(journalPath)
	if err := os.Symlink("/dev/zero", journalPath); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runBin(t, env, nil, "report", "--config", cfg)
	if code != exitOK && code != exitProbe || !strings.Contains(stdout, "traycheck") || !strings.Contains(stderr, "not a regular file") {
		t.Errorf("report with /dev/zero as the journal: exit %d, stderr %q", code, stderr)
	}
}
