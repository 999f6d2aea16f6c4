package vpnport_test

// Helpers of the serial real-program lane (realserial_linux_test.go):
// pseudo-terminals as modems, programs under script(1), and the traycheck
// binary run as root or as nobody.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/vpnport"
)

const realLockDir = "/run/lock"

// modem is a pseudo-terminal standing in for a serial modem.
type modem struct {
	path string // /dev/pts/N
	n    int
}

// newModem opens a pseudo-terminal and drains what programs send to it. The
// terminal is made world-accessible like a dialout device the user may
// use (cu opens it as user uucp). Lock files under any name a program may
// use for it are removed when the test ends, before the terminal is
// closed (its number is then free for someone else's).
func newModem(t *testing.T, extraLockNames ...string) modem {
	t.Helper()
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		testenv.Missing(t, "pseudo-terminals: %v", err)
	}
	master := os.NewFile(uintptr(fd), "ptmx")
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("ptsname: %v", err)
	}
	m := modem{path: "/dev/pts/" + strconv.Itoa(n), n: n}
	if err := os.Chmod(m.path, 0o666); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, master)
	names := append([]string{"LCK.." + strconv.Itoa(n), "LCK..pts_" + strconv.Itoa(n), "LCK..pts:" + strconv.Itoa(n)}, extraLockNames...)
	t.Cleanup(func() {
		for _, name := range names {
			os.Remove(filepath.Join(realLockDir, name))
		}
	})
	return m
}

// programEnv is the environment of the serial programs: a terminal type
// for minicom and a throwaway HOME (picocom keeps a history file there).
func programEnv(t *testing.T) []string {
	return append(os.Environ(), "TERM=xterm", "HOME="+t.TempDir(), "LANG=C", "LC_ALL=C")
}

// underPTY returns cmd run by script(1), which gives it the terminal
// minicom, picocom and cu insist on; stdin stays open until the test ends.
func underPTY(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	script := testenv.LookPath(t, "script")
	testenv.LookPath(t, args[0])
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	cmd := exec.Command(script, "-qfc", "exec "+strings.Join(quoted, " "), "/dev/null")
	cmd.Env = programEnv(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close(); r.Close() })
	cmd.Stdin = r
	return cmd
}

// runUntil starts a program under a terminal and returns its output once it
// exits or once the output contains want (the program is then ended).
func runUntil(t *testing.T, want string, args ...string) string {
	t.Helper()
	p := testenv.Start(t, underPTY(t, args...))
	testenv.WaitFor(t, 10*time.Second, fmt.Sprintf("%v to print %q", args, want), func() bool {
		done, _ := p.Exited()
		return done || strings.Contains(p.Log.String(), want)
	})
	p.Stop()
	out := p.Log.String()
	if !strings.Contains(out, want) {
		t.Fatalf("%v printed %q, not %q", args, out, want)
	}
	return out
}

// descendant finds the process named comm below root (script runs the
// program through a shell that execs it).
func descendant(t *testing.T, root int, comm string) int {
	t.Helper()
	var pid int
	testenv.WaitFor(t, 10*time.Second, comm+" to start", func() bool {
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			p, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			if c, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", p)); strings.TrimSpace(string(c)) != comm {
				continue
			}
			for a := p; a > 1; a = ppid(a) {
				if a == root {
					pid = p
					return true
				}
			}
		}
		return false
	})
	return pid
}

func ppid(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}

// waitLock waits for a program to write the lock file and returns the PID
// in it.
func waitLock(t *testing.T, name string) int {
	t.Helper()
	var pid int
	testenv.WaitFor(t, 10*time.Second, "lock file "+name, func() bool {
		b, err := os.ReadFile(filepath.Join(realLockDir, name))
		if err != nil {
			return false
		}
		pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil && pid > 0
	})
	return pid
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// traycheckAs runs the traycheck binary (as nobody when asNobody) with a
// throwaway HOME and config directory, and returns its stdout.
func traycheckAs(t *testing.T, asNobody bool, args ...string) []byte {
	t.Helper()
	bin := sharedBinary(t)
	home, err := os.MkdirTemp("", "traycheck-serial-home-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	os.Chmod(home, 0o777)
	argv := append([]string{bin}, args...)
	if asNobody {
		argv = append(testenv.AsNobody(t), argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_CACHE_HOME="+home, "XDG_RUNTIME_DIR="+home)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("%v: %v\n%s%s", args, err, out, stderr.String())
	}
	return out
}

var (
	sharedBin string
)

// sharedBinary is testenv.Traycheck's binary copied where nobody may run it.
func sharedBinary(t *testing.T) string {
	t.Helper()
	if sharedBin != "" {
		return sharedBin
	}
	built := testenv.Traycheck(t)
	dir := filepath.Dir(built)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	sharedBin = built
	return built
}

// checkDevice is `traycheck check --json DEVICE`'s one finding.
func checkDevice(t *testing.T, asNobody bool, dev string) diagnose.Finding {
	t.Helper()
	out := traycheckAs(t, asNobody, "check", "--json", dev)
	var rep struct {
		Findings []diagnose.Finding `json:"findings"`
	}
	if err := json.Unmarshal(out, &rep); err != nil || len(rep.Findings) != 1 {
		t.Fatalf("check --json %s: %v\n%s", dev, err, out)
	}
	return rep.Findings[0]
}

// assertNamed checks that f blames the process pid, named comm.
func assertNamed(t *testing.T, who string, f diagnose.Finding, cause diagnose.Cause, comm string, pid int) {
	t.Helper()
	named := slices.ContainsFunc(f.Holders, func(h vpnport.Holder) bool { return h.PID == pid && h.Name == comm })
	if f.Cause != cause || !named || !strings.Contains(f.Message, comm) || !strings.Contains(f.Message, "PID "+strconv.Itoa(pid)) {
		t.Errorf("%s: cause %s, holders %+v, message %q; want %s naming %s (PID %d)", who, f.Cause, f.Holders, f.Message, cause, comm, pid)
	}
}

// explainAs feeds a program's captured text to explain and checks the entry
// and the device it names.
func explainAs(t *testing.T, text, entry, dev string) {
	t.Helper()
	t.Logf("captured: %q", text)
	m := diagnose.Explain(text)
	if !m.Matched || m.Entry != entry || m.Family != diagnose.DeviceInUse {
		t.Errorf("Explain(%q) = entry %q family %q, want %s", text, m.Entry, m.Family, entry)
	}
	if dev != "" && m.Resource.Path != dev {
		t.Errorf("Explain(%q) names %+v, want %s", text, m.Resource, dev)
	}
}

func pyserial(t *testing.T) string {
	t.Helper()
	py := testenv.LookPath(t, "/usr/bin/python3")
	if out, err := exec.Command(py, "-c", "import serial").CombinedOutput(); err != nil {
		testenv.Missing(t, "python3-serial: %v %s", err, out)
	}
	return py
}
