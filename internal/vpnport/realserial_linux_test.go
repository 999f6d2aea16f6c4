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
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/testenv"
)

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
	// cu runs as user uucp: on a device uucp may not open, it also says
	// "Line in use", and the explanation must point at permissions.
	if err := os.Chmod(m.path, 0o600); err != nil {
		t.Fatal(err)
	}
	denied := runUntil(t, "Line in use", "cu", "-l", m.path)
	explainAs(t, denied, "cu-line-in-use", m.path)
	if !strings.Contains(denied, "Permission denied") || !strings.Contains(diagnose.Explain(denied).Explanation, "permissions") {
		t.Errorf("cu on a device it may not open: %q; explanation %q", denied, diagnose.Explain(denied).Explanation)
	}
	if err := os.Chmod(m.path, 0o666); err != nil {
		t.Fatal(err)
	}
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
	// Issue 24: minicom names the link, outside /dev; explain takes it.
	explainAs(t, runUntil(t, "is locked", "minicom", "-D", link), "minicom-locked", link)
}
