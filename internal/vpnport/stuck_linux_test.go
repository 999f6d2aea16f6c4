package vpnport

// A check must end when its deadline does, and traycheck must end on
// SIGTERM, even while one of its system calls never returns. The stuck call
// is staged for real: a FUSE file system whose server never answers (not
// even the kernel's first request) is mounted, in a private mount
// namespace, where the probe looks for lock files. Any access to it then
// blocks in the kernel, as it does on a hung network file system.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

const stuckEnv = "TRAYCHECK_VPNPORT_STUCK"

// The helper modes run in a child started by startStuck: the test binary
// re-executed in a new mount namespace with /dev/fuse as fd 3.
func init() {
	switch os.Getenv(stuckEnv) {
	case "":
		return
	case "probe":
		os.Exit(stuckProbe(os.Args[1], os.Args[2]))
	case "planted":
		// A fresh tmpfs over /run/lock (private to this namespace), the
		// planted file under the device's lock name, then the program.
		if err := unix.Mount("tmpfs", "/run/lock", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=1777"); err != nil {
			fmt.Fprintln(os.Stderr, "mount:", err)
			os.Exit(3)
		}
		if err := plant(os.Args[1], filepath.Join("/run/lock", os.Args[2])); err != nil {
			fmt.Fprintln(os.Stderr, "plant:", err)
			os.Exit(3)
		}
		err := syscall.Exec(os.Args[3], os.Args[3:], os.Environ())
		fmt.Fprintln(os.Stderr, "exec:", err)
		os.Exit(3)
	case "exec":
		// Mount the unanswered file system over every lock directory,
		// then become the program to test (traycheck watch).
		for _, dir := range lockDirs {
			if st, err := os.Lstat(dir); err == nil && st.IsDir() {
				if err := mountStuckFUSE(dir); err != nil {
					fmt.Fprintln(os.Stderr, "mount:", err)
					os.Exit(3)
				}
			}
		}
		unix.Close(3)
		err := syscall.Exec(os.Args[1], os.Args[1:], os.Environ())
		fmt.Fprintln(os.Stderr, "exec:", err)
		os.Exit(3)
	}
}

func mountStuckFUSE(dir string) error {
	return unix.Mount("traycheck-stuck", dir, "fuse", unix.MS_NOSUID|unix.MS_NODEV,
		"fd=3,rootmode=40000,user_id=0,group_id=0")
}

// stuckResult is what the probe helper reports of two probes.
type stuckResult struct {
	Err1, Err2     string
	Stuck1, Stuck2 bool
	Ms1, Ms2       int64
}

// stuckProbe probes dev with the lock directory on the hung file system:
// once with a 300 ms deadline, then again while the first is still blocked.
func stuckProbe(dir, dev string) int {
	if err := mountStuckFUSE(dir); err != nil {
		fmt.Fprintln(os.Stderr, "mount:", err)
		return 3
	}
	lockDirs = []string{dir}
	p := New()
	var r stuckResult
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	t0 := time.Now()
	_, err := p.Probe(ctx, []Resource{{Kind: Device, Path: dev}}, ProbeOptions{})
	cancel()
	r.Ms1, r.Stuck1 = time.Since(t0).Milliseconds(), errors.Is(err, ErrProbeStuck)
	if err != nil {
		r.Err1 = err.Error()
	}
	t0 = time.Now()
	_, err = p.Probe(context.Background(), []Resource{{Kind: Device, Path: dev}}, ProbeOptions{})
	r.Ms2, r.Stuck2 = time.Since(t0).Milliseconds(), errors.Is(err, ErrProbeStuck)
	if err != nil {
		r.Err2 = err.Error()
	}
	json.NewEncoder(os.Stdout).Encode(r)
	return 0
}

// startStuck prepares the child: the test binary in a private mount
// namespace, holding /dev/fuse as fd 3.
func startStuck(t *testing.T, mode string, args ...string) *exec.Cmd {
	t.Helper()
	testenv.Root(t)
	fuse, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
	if err != nil {
		testenv.Missing(t, "/dev/fuse: %v", err)
	}
	// Closing the test's end aborts the connection, which releases any
	// call still blocked on it.
	t.Cleanup(func() { fuse.Close() })
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), stuckEnv+"="+mode)
	cmd.ExtraFiles = []*os.File{fuse}
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	return cmd
}

// TestProbeDeadlineBeatsStuckSyscall: the probe returns at its deadline
// although its lock directory never answers, and a second probe while the
// first is still blocked fails at once instead of blocking another thread.
func TestProbeDeadlineBeatsStuckSyscall(t *testing.T) {
	pts, _ := testenv.OpenPTY(t)
	cmd := startStuck(t, "probe", t.TempDir(), pts)
	cmd.Stderr = os.Stderr
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.Output(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the probe helper hung: the deadline did not end the probe")
	}
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	var r stuckResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("helper output %q: %v", out, err)
	}
	t.Logf("first probe returned after %d ms (deadline 300 ms), second after %d ms", r.Ms1, r.Ms2)
	if !r.Stuck1 || !strings.Contains(r.Err1, "deadline") {
		t.Errorf("first probe: %q, want ErrProbeStuck at its deadline", r.Err1)
	}
	if !r.Stuck2 || !strings.Contains(r.Err2, "still blocked") {
		t.Errorf("second probe: %q, want ErrProbeStuck naming the blocked check", r.Err2)
	}
}

// TestSignalEndsStuckCheck: `traycheck watch` and `traycheck check` whose
// check is blocked in the kernel (the lock directory hangs) still end on
// SIGTERM or Ctrl-C, within a second: watch with exit code 0 as after any
// SIGTERM, check with 3 (the probe failed).
func TestSignalEndsStuckCheck(t *testing.T) {
	pts, _ := testenv.OpenPTY(t)
	bin := testenv.Traycheck(t)
	for _, tc := range []struct {
		name string
		args []string
		sig  syscall.Signal
		code int
	}{
		{"watch", []string{"watch", "--json"}, syscall.SIGTERM, 0},
		{"check", []string{"check", pts}, syscall.SIGINT, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "config.toml")
			if err := os.WriteFile(cfg, fmt.Appendf(nil, "[vpn]\nports = []\ndevices = [%q]\n[check]\ninterval = \"1s\"\n", pts), 0o600); err != nil {
				t.Fatal(err)
			}
			args := append([]string{bin, tc.args[0], "--config", cfg}, tc.args[1:]...)
			cmd := startStuck(t, "exec", args...)
			cmd.Env = append(cmd.Env, "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_CACHE_HOME="+dir, "XDG_RUNTIME_DIR="+dir)
			p := testenv.Start(t, cmd)
			pid := cmd.Process.Pid
			testenv.WaitFor(t, 20*time.Second, "traycheck to block on the hung lock directory", func() bool {
				if done, _ := p.Exited(); done {
					t.Fatalf("traycheck exited early:\n%s", p.Log.String())
				}
				return blockedInFUSE(pid)
			})
			t0 := time.Now()
			if err := syscall.Kill(pid, tc.sig); err != nil {
				t.Fatal(err)
			}
			err := p.Wait(t, 10*time.Second)
			took := time.Since(t0)
			t.Logf("exited %v after %v: %v", took.Round(time.Millisecond), tc.sig, err)
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			}
			if code != tc.code {
				t.Errorf("exit code %d (%v), want %d\n%s", code, err, tc.code, p.Log.String())
			}
			if took > time.Second {
				t.Errorf("took %v to end after %v, want under a second", took, tc.sig)
			}
		})
	}
}

// blockedInFUSE reports whether a thread of pid sleeps in the FUSE client.
func blockedInFUSE(pid int) bool {
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, task := range tasks {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/wchan", pid, task.Name()))
		if strings.Contains(string(b), "fuse") {
			return true
		}
	}
	return false
}

// plant puts what a hostile local user could under a lock name.
func plant(kind, p string) error {
	switch kind {
	case "fifo":
		return unix.Mkfifo(p, 0o644)
	case "zero":
		return os.Symlink("/dev/zero", p)
	case "huge":
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Truncate(1 << 30) // sparse: a gigabyte of zeros to read
	}
	return fmt.Errorf("unknown plant %q", kind)
}

// TestCheckWithPlantedLock: `traycheck check` of a device whose lock name in
// the real /run/lock (a private copy, in a mount namespace) is a FIFO, a
// link to /dev/zero or a huge file answers at once: no process holds the
// device, but minicom would refuse it (or hang), so it needs attention and
// the message names the file.
func TestCheckWithPlantedLock(t *testing.T) {
	testenv.Root(t)
	pts, n := testenv.OpenPTY(t)
	bin := testenv.Traycheck(t)
	for _, kind := range []string{"fifo", "zero", "huge"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], kind, fmt.Sprintf("LCK..pts_%d", n), bin, "check", "--json", pts)
			cmd.Env = append(os.Environ(), stuckEnv+"=planted", "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_CACHE_HOME="+dir)
			cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
			p := testenv.Start(t, cmd)
			// Exit 1: the device needs attention.
			var ee *exec.ExitError
			if err := p.Wait(t, 20*time.Second); !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Fatalf("check: %v, want exit code 1\n%s", err, p.Log.String())
			}
			var rep struct {
				Findings []struct {
					Cause   string `json:"cause"`
					Message string `json:"message"`
				} `json:"findings"`
			}
			if err := json.Unmarshal([]byte(p.Log.String()), &rep); err != nil || len(rep.Findings) != 1 {
				t.Fatalf("check --json: %v\n%s", err, p.Log.String())
			}
			f := rep.Findings[0]
			if f.Cause != "crashed-leftover" || !strings.Contains(f.Message, "/run/lock/LCK..pts_") || !strings.Contains(f.Message, "is no lock") {
				t.Errorf("finding %+v, want crashed-leftover naming the planted file", f)
			}
			t.Logf("%s: %s", kind, f.Message)
		})
	}
}
