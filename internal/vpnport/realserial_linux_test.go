package vpnport_test

// The real-program lane for serial devices: picocom, minicom, cu and
// pyserial, each run as a user runs it against a modem (a pseudo-terminal
// stands in for /dev/ttyUSB0), and traycheck asked, as root and as nobody,
// who holds the device. Each program's own "busy" text is captured and fed
// to explain. Lock files land in the real /run/lock, where the programs
// write them; every one this test could have caused is removed at cleanup.

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
		testenv.Root(t)
		argv = append([]string{testenv.LookPath(t, "setpriv"), "--reuid=nobody", "--regid=nogroup", "--clear-groups"}, argv...)
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

// TestRealPicocom: picocom flock()s the device it opens. traycheck names it
// from /proc/locks even as nobody, who cannot see root's fds; a second
// picocom and pyserial's exclusive open fail with their own texts, which
// explain recognises.
func TestRealPicocom(t *testing.T) {
	testenv.Root(t)
	m := newModem(t)
	p := testenv.Start(t, underPTY(t, "picocom", "-q", m.path))
	pid := descendant(t, p.Cmd.Process.Pid, "picocom")
	testenv.WaitFor(t, 10*time.Second, "picocom's flock in /proc/locks", func() bool {
		b, _ := os.ReadFile("/proc/locks")
		return bytes.Contains(b, []byte(" "+strconv.Itoa(pid)+" "))
	})
	f := checkDevice(t, false, m.path)
	assertNamed(t, "root", f, diagnose.OtherApp, "picocom", pid)
	if !f.Has(diagnose.EndProcess) {
		t.Errorf("root: actions %v lack end-process for an open holder", f.Actions)
	}
	assertNamed(t, "nobody", checkDevice(t, true, m.path), diagnose.OtherApp, "picocom", pid)

	out := runUntil(t, "cannot lock", "picocom", "-q", m.path)
	explainAs(t, out, "picocom-lock", m.path)

	py := pyserial(t)
	pyOut, err := exec.Command(py, "-c", "import serial, sys; serial.Serial(sys.argv[1], exclusive=True)", m.path).CombinedOutput()
	if err == nil {
		t.Fatalf("pyserial opened %s exclusively while picocom holds it", m.path)
	}
	explainAs(t, string(pyOut), "pyserial-exclusive", m.path)
}

// TestRealPyserialExclusive: a pyserial script with exclusive=True holds the
// port; it is named, and picocom's refusal is explained.
func TestRealPyserialExclusive(t *testing.T) {
	testenv.Root(t)
	m := newModem(t)
	py := pyserial(t)
	cmd := exec.Command(py, "-c", "import serial, sys; s = serial.Serial(sys.argv[1], exclusive=True); print('ready', flush=True); sys.stdin.read()", m.path)
	r, w, _ := os.Pipe()
	t.Cleanup(func() { w.Close(); r.Close() })
	cmd.Stdin = r
	p := testenv.Start(t, cmd)
	testenv.WaitFor(t, 10*time.Second, "pyserial to open the port", func() bool { return strings.Contains(p.Log.String(), "ready") })
	pid := p.Cmd.Process.Pid
	comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	name := strings.TrimSpace(string(comm))
	assertNamed(t, "root", checkDevice(t, false, m.path), diagnose.OtherApp, name, pid)
	assertNamed(t, "nobody", checkDevice(t, true, m.path), diagnose.OtherApp, name, pid)
	explainAs(t, runUntil(t, "cannot lock", "picocom", "-q", m.path), "picocom-lock", m.path)
}

// TestRealMinicom: minicom writes LCK..pts_N. Running, it is named (as
// nobody from the lock alone, never offered to be ended); killed with -9,
// its lock is a crashed program's leftover with remove-lock; and the texts
// of a second minicom in both cases are explained.
func TestRealMinicom(t *testing.T) {
	testenv.Root(t)
	m := newModem(t)
	lockName := "LCK..pts_" + strconv.Itoa(m.n)
	p := testenv.Start(t, underPTY(t, "minicom", "-D", m.path))
	pid := waitLock(t, lockName)
	if got := descendant(t, p.Cmd.Process.Pid, "minicom"); got != pid {
		t.Fatalf("lock names PID %d, minicom is %d", pid, got)
	}
	f := checkDevice(t, true, m.path)
	assertNamed(t, "nobody", f, diagnose.OtherApp, "minicom", pid)
	if f.Has(diagnose.EndProcess) || f.Lock == nil || f.Lock.Path != filepath.Join(realLockDir, lockName) {
		t.Errorf("nobody: actions %v, lock %+v; want no end-process on a lock file's word, and the lock", f.Actions, f.Lock)
	}
	assertNamed(t, "root", checkDevice(t, false, m.path), diagnose.OtherApp, "minicom", pid)

	busy := runUntil(t, "is locked", "minicom", "-D", m.path)
	explainAs(t, busy, "minicom-locked", m.path)
	// explain checks the device the text names, live, and names minicom.
	var ex struct {
		Findings []diagnose.Finding `json:"findings"`
	}
	if err := json.Unmarshal(traycheckAs(t, true, "explain", "--json", busy), &ex); err != nil || len(ex.Findings) != 1 {
		t.Fatalf("explain --json: %v %+v", err, ex)
	}
	assertNamed(t, "explain as nobody", ex.Findings[0], diagnose.OtherApp, "minicom", pid)

	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 10*time.Second, "minicom to die", func() bool { return !alive(pid) })
	p.Stop()
	f = checkDevice(t, false, m.path)
	if f.Cause != diagnose.CrashedLeftover || !f.Has(diagnose.RemoveLock) || f.Lock == nil || f.Lock.PID != pid || f.Lock.Alive {
		t.Errorf("after kill -9: %+v, want crashed-leftover with remove-lock for PID %d", f, pid)
	}
	explainAs(t, runUntil(t, "Lockfile is stale", "minicom", "-D", m.path), "minicom-stale", "")
}

// TestRealCu: cu (Taylor UUCP, running as user uucp) writes LCK..N after the
// node's name. Running, it is named; a second cu says "Line in use"; killed
// with -9 (with its child and the terminal around it), its lock is a
// leftover, and the next cu's stale-lock text is explained.
func TestRealCu(t *testing.T) {
	testenv.Root(t)
	m := newModem(t)
	lockName := "LCK.." + strconv.Itoa(m.n)
	p := testenv.Start(t, underPTY(t, "cu", "-l", m.path))
	pid := waitLock(t, lockName)
	assertNamed(t, "nobody", checkDevice(t, true, m.path), diagnose.OtherApp, "cu", pid)
	explainAs(t, runUntil(t, "Line in use", "cu", "-l", m.path), "cu-line-in-use", m.path)

	// cu runs as two processes. Killing the one that wrote the lock leaves
	// the other holding the line: traycheck must name it, not call the
	// device a crashed leftover.
	child := 0
	testenv.WaitFor(t, 10*time.Second, "cu's second process", func() bool {
		child = 0
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			if c, err := strconv.Atoi(e.Name()); err == nil && c != pid && ppid(c) == pid {
				child = c
			}
		}
		return child != 0
	})
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 10*time.Second, "cu to die", func() bool { return !alive(pid) })
	if alive(child) {
		f := checkDevice(t, false, m.path)
		assertNamed(t, "root, cu's parent killed", f, diagnose.OtherApp, "cu", child)
	}
	syscall.Kill(child, syscall.SIGKILL)
	testenv.WaitFor(t, 10*time.Second, "cu's second process to die", func() bool { return !alive(child) })
	p.Stop()
	f := checkDevice(t, false, m.path)
	if f.Cause != diagnose.CrashedLeftover || !f.Has(diagnose.RemoveLock) || f.Lock == nil || f.Lock.Path != filepath.Join(realLockDir, lockName) {
		t.Errorf("after kill -9: %+v, want crashed-leftover for %s", f, lockName)
	}
	explainAs(t, runUntil(t, "Stale lock", "cu", "-l", m.path), "cu-stale-lock", "")
}

// TestRealMinicomThroughLink: given a /dev/serial/by-id style link, minicom
// locks the link's name; traycheck, given the same link, finds that lock.
func TestRealMinicomThroughLink(t *testing.T) {
	testenv.Root(t)
	const linkName = "usb-FTDI_FT232R_USB_UART_A10K9X2Q-if00-port0"
	m := newModem(t, "LCK.."+linkName)
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	link := filepath.Join(dir, linkName)
	if err := os.Symlink(m.path, link); err != nil {
		t.Fatal(err)
	}
	testenv.Start(t, underPTY(t, "minicom", "-D", link))
	pid := waitLock(t, "LCK.."+linkName)
	f := checkDevice(t, true, link)
	assertNamed(t, "nobody", f, diagnose.OtherApp, "minicom", pid)
	if f.Lock == nil || f.Lock.Path != filepath.Join(realLockDir, "LCK.."+linkName) {
		t.Errorf("lock = %+v, want the one under the link's name", f.Lock)
	}
}
