package instance

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/testenv"
)

// Issue 17 item 9: removing $XDG_RUNTIME_DIR under a running instance, or
// another user squatting the /tmp fallback, yielded a second instance.
// These run the first instance as a real child process (serveHelper) and
// stage each attack for real.

// serveHelper is the child: it takes the session, serves requests with its
// PID as the answer, prints "serving" (and what is degraded), and waits.
func serveHelper() {
	l, err := Acquire()
	if err != nil {
		fmt.Println("error: " + err.Error())
		os.Exit(1)
	}
	_, err = l.Listen(func(context.Context, Message) Reply {
		return Reply{Body: []byte(`"pid ` + strconv.Itoa(os.Getpid()) + `"`)}
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		fmt.Println("error: " + err.Error())
		os.Exit(1)
	}
	fmt.Printf("serving degraded=%v\n", l.Degraded())
	time.Sleep(10 * time.Minute)
	os.Exit(0)
}

// startFirst runs serveHelper with the test's environment and returns its
// PID and the line it printed.
func startFirst(t *testing.T) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=serve")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, _ := bufio.NewReader(out).ReadString('\n')
	if !strings.HasPrefix(line, "serving") {
		t.Fatalf("first instance: %q", line)
	}
	return cmd.Process.Pid, line
}

// secondIsKeptOut checks that a second Acquire is refused and that a
// forwarded request reaches the first instance (pid).
func secondIsKeptOut(t *testing.T, pid int) {
	t.Helper()
	if l, err := Acquire(); !errors.Is(err, ErrRunning) {
		if l != nil {
			l.Release()
		}
		t.Fatalf("second Acquire: %v, want ErrRunning", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rep, err := Send(ctx, Message{Op: OpCheckNow})
	if err != nil || string(rep.Body) != `"pid `+strconv.Itoa(pid)+`"` {
		t.Fatalf("check-now: %+v, %v; want the answer of PID %d", rep, err, pid)
	}
}

func TestRuntimeDirRemovedUnderRunningInstance(t *testing.T) {
	dir := runtimeDir(t)
	pid, _ := startFirst(t)
	secondIsKeptOut(t, pid)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	secondIsKeptOut(t, pid) // no directory at all
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	secondIsKeptOut(t, pid) // recreated empty, as at the next login
}

// TestSquattedTmpFallback: with no XDG_RUNTIME_DIR, user nobody creates the
// fallback directory first (setpriv, in a world-writable TMPDIR). The first
// instance must still start, say what it could not use, and keep a second
// one out.
func TestSquattedTmpFallback(t *testing.T) {
	testenv.Root(t)
	setpriv := testenv.LookPath(t, "setpriv")
	tmp, err := os.MkdirTemp("", "traycheck-squat-") // under /tmp, so nobody can reach it
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	if err := os.Chmod(tmp, 0o1777); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("TMPDIR", tmp)
	squat := filepath.Join(tmp, "traycheck-"+strconv.Itoa(os.Getuid()))
	if out, err := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "mkdir", "-m", "0700", squat).CombinedOutput(); err != nil {
		t.Fatalf("squatting as nobody: %v\n%s", err, out)
	}
	pid, line := startFirst(t)
	if !strings.Contains(line, "owned by UID") || !strings.Contains(line, "socket name") {
		t.Errorf("the first instance does not say what it could not use: %q", line)
	}
	secondIsKeptOut(t, pid)
}

// TestSquattedNameIsNeverSentTo: user nobody binds the session's abstract
// name first (socat as nobody). The instance starts on its flock and says
// the name is squatted; a client never sends its request to the squatter,
// and the squatter cannot make a client fail.
func TestSquattedNameIsNeverSentTo(t *testing.T) {
	testenv.Root(t)
	setpriv := testenv.LookPath(t, "setpriv")
	socat := testenv.LookPath(t, "socat")
	dir := runtimeDir(t)
	name := strings.TrimPrefix(abstractName(), "@")
	got := filepath.Join(t.TempDir(), "squatter-got")
	sq := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
		socat, "-u", "ABSTRACT-LISTEN:"+name+",fork", "OPEN:/dev/stdout")
	f, err := os.Create(got)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sq.Stdout = f
	p := testenv.Start(t, sq)
	testenv.WaitFor(t, 5*time.Second, "the squatter to listen", func() bool {
		ln, err := claimName()
		if ln != nil {
			ln.Close()
		}
		return err != nil && strings.Contains(err.Error(), "UID 65534")
	})
	l, err := Acquire()
	if err != nil {
		t.Fatalf("Acquire beside a squatter: %v", err)
	}
	if d := l.Degraded(); d == nil || !strings.Contains(d.Error(), "another user (UID 65534)") {
		t.Errorf("Degraded() = %v, want the squatter named", d)
	}
	l.Release()
	// No instance listens in dir: a client must fall back to the name, see
	// the squatter, and send nothing.
	os.Remove(filepath.Join(dir, "traycheck.sock"))
	// And the squatter cannot make check-now fail: no instance runs here.
	_, err = Send(context.Background(), Message{Op: OpAction, Action: "retry", Resource: "udp/1194", Token: "AAAAAAAAAAAAAAAAAAAAAA"})
	if !errors.Is(err, ErrNotRunning) {
		t.Errorf("Send with a squatted name: %v, want ErrNotRunning", err)
	}
	if _, err := dialName(context.Background()); err == nil || !strings.Contains(err.Error(), "another user (UID 65534)") {
		t.Errorf("dialName to the squatter: %v, want a refusal naming UID 65534", err)
	}
	time.Sleep(100 * time.Millisecond)
	p.Stop()
	if b, _ := os.ReadFile(got); len(b) != 0 {
		t.Errorf("the squatter received %q", b)
	}
}

// TestOtherUserIsRejectedAtTheName: the abstract name has no file mode, so
// anyone can connect; SO_PEERCRED must turn another user away there too.
// Our own user through the same socat is the control.
func TestOtherUserIsRejectedAtTheName(t *testing.T) {
	testenv.Root(t)
	setpriv := testenv.LookPath(t, "setpriv")
	socat := testenv.LookPath(t, "socat")
	runtimeDir(t)
	it := startInstance(t)
	var req strings.Builder
	WriteMessage(&req, Message{Op: OpCheckNow})
	client := func(asNobody bool) string {
		argv := []string{socat, "-t", "5", "-", "ABSTRACT-CONNECT:" + strings.TrimPrefix(abstractName(), "@")}
		if asNobody {
			argv = append([]string{setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"}, argv...)
		}
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdin = strings.NewReader(req.String())
		out, _ := cmd.Output()
		return string(out)
	}
	if out := client(false); !strings.Contains(out, `"did":"check-now`) && !strings.Contains(out, `"body"`) {
		t.Fatalf("own user at the name: %q", out)
	}
	if out := client(true); out != "" {
		t.Errorf("nobody got a reply at the name: %q", out)
	}
	if n := it.calls.Load(); n != 1 {
		t.Errorf("handler ran %d times, want once", n)
	}
	if !strings.Contains(it.log.String(), "peer UID 65534") {
		t.Errorf("rejection not logged: %s", it.log.String())
	}
}
