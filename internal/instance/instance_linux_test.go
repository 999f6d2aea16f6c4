package instance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/testenv"
)

const helperEnv = "TRAYCHECK_INSTANCE_HELPER"

// TestMain lets the test binary act as a running instance in a child
// process, so the lock is held by a real process that can be killed.
func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "serve" {
		serveHelper()
	}
	if os.Getenv(helperEnv) == "hold" {
		if _, err := Acquire(); err != nil {
			os.Stdout.WriteString("error: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("locked\n")
		time.Sleep(10 * time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runtimeDir gives the test its own private XDG_RUNTIME_DIR.
func runtimeDir(t *testing.T) string {
	d := t.TempDir()
	if err := os.Chmod(d, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", d)
	return d
}

func TestLockReleasedWhenHolderIsKilled(t *testing.T) {
	runtimeDir(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=hold")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "locked\n" {
		t.Fatalf("helper: %q", line)
	}
	if l, err := Acquire(); !errors.Is(err, ErrRunning) {
		if l != nil {
			l.Release()
		}
		t.Fatalf("Acquire while another process holds the lock: %v, want ErrRunning", err)
	}
	// kill -9: no cleanup code runs in the holder; the kernel must drop the
	// lock with the process.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	l, err := Acquire()
	if err != nil {
		t.Fatalf("Acquire right after the holder was killed: %v", err)
	}
	l.Release()
}

// instanceUnderTest starts a real server in this process and records what
// its handler receives.
type instanceUnderTest struct {
	lock  *Lock
	srv   *Server
	calls atomic.Int32
	log   testenv.SyncBuffer
}

func startInstance(t *testing.T) *instanceUnderTest {
	t.Helper()
	it := &instanceUnderTest{}
	l, err := Acquire()
	if err != nil {
		t.Fatal(err)
	}
	it.lock = l
	h := func(_ context.Context, m Message) Reply {
		it.calls.Add(1)
		return Reply{Body: json.RawMessage(`{"did":"` + m.Op + ` ` + m.Action + `"}`)}
	}
	log := slog.New(slog.NewTextHandler(&it.log, nil))
	if it.srv, err = l.Listen(h, log); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { it.srv.Close(); l.Release() })
	return it
}

func TestForwarding(t *testing.T) {
	dir := runtimeDir(t)
	ctx := context.Background()
	if _, err := Send(ctx, Message{Op: OpCheckNow}); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("Send with nothing running: %v, want ErrNotRunning", err)
	}
	if on, err := Running(ctx); on || err != nil {
		t.Fatalf("Running with nothing running: %v, %v", on, err)
	}
	it := startInstance(t)
	if on, err := Running(ctx); !on || err != nil {
		t.Fatalf("Running with an instance: %v, %v", on, err)
	}
	if n := it.calls.Load(); n != 0 {
		t.Fatalf("a ping reached the handler (%d calls): it must not start a check", n)
	}
	fi, err := os.Stat(filepath.Join(dir, "traycheck.sock"))
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("socket: %v %v, want a socket of mode 0600", fi.Mode(), err)
	}

	rep, err := Send(ctx, Message{Op: OpCheckNow})
	if err != nil || rep.Error != "" || string(rep.Body) != `{"did":"check-now "}` {
		t.Fatalf("check-now: %+v, %v", rep, err)
	}
	// The server carries the action with its token to the handler, which
	// owns the ledger; a malformed token never gets that far.
	act := Message{Op: OpAction, Action: "end-process", Resource: "udp/1194", PID: 42, Token: "AAAAAAAAAAAAAAAAAAAAAA"}
	if rep, err := Send(ctx, act); err != nil || string(rep.Body) != `{"did":"action end-process"}` {
		t.Fatalf("action: %+v, %v", rep, err)
	}
	act.Token = "short"
	if _, err := Send(ctx, act); !errors.Is(err, ErrMalformed) {
		t.Fatalf("an action with a malformed token: %v, want ErrMalformed before sending", err)
	}
	if n := it.calls.Load(); n != 2 {
		t.Errorf("handler ran %d times, want 2", n)
	}
}

func TestMalformedRequestIsRejected(t *testing.T) {
	dir := runtimeDir(t)
	it := startInstance(t)
	for name, raw := range map[string][]byte{
		"garbage":     []byte("GET / HTTP/1.0\r\n\r\n"),
		"bad action":  frame([]byte(`{"op":"action","action":"$(reboot)","token":"AAAAAAAAAAAAAAAAAAAAAA"}`)),
		"huge length": {0x7f, 0xff, 0xff, 0xff},
		"unknown op":  frame([]byte(`{"op":"shutdown"}`)),
	} {
		c, err := net.Dial("unix", filepath.Join(dir, "traycheck.sock"))
		if err != nil {
			t.Fatal(err)
		}
		c.Write(raw)
		rep, err := ReadReply(c)
		c.Close()
		if err != nil || rep.Error != "malformed request" {
			t.Errorf("%s: %+v, %v; want a malformed-request reply", name, rep, err)
		}
	}
	if n := it.calls.Load(); n != 0 {
		t.Errorf("handler ran %d times for malformed requests", n)
	}
}

// TestOtherUserIsRejected opens the socket to everyone and connects as
// nobody with setpriv: SO_PEERCRED must turn the request away. The same
// client as our own user is the control that proves the setup works.
func TestOtherUserIsRejected(t *testing.T) {
	testenv.Root(t)
	setpriv := testenv.LookPath(t, "setpriv")
	socat := testenv.LookPath(t, "socat")
	dir, err := os.MkdirTemp("", "traycheck-peercred-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o700)
	t.Setenv("XDG_RUNTIME_DIR", dir)
	it := startInstance(t)
	sock := filepath.Join(dir, "traycheck.sock")
	// Open up what the defaults keep closed, so only the peer check stands.
	if err := os.Chmod(dir, 0o711); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(sock, 0o666); err != nil {
		t.Fatal(err)
	}
	var req bytes.Buffer
	WriteMessage(&req, Message{Op: OpCheckNow})
	client := func(asNobody bool) (out []byte, stderr string, err error) {
		argv := []string{socat, "-t", "5", "-", "UNIX-CONNECT:" + sock}
		if asNobody {
			argv = append([]string{setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"}, argv...)
		}
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdin = bytes.NewReader(req.Bytes())
		var eb bytes.Buffer
		cmd.Stderr = &eb
		out, err = cmd.Output()
		return out, eb.String(), err
	}
	if out, stderr, err := client(false); err != nil || !bytes.Contains(out, []byte(`"did":"check-now `)) {
		t.Fatalf("own user through socat: reply %q, %v: %s", out, err, stderr)
	}
	// The server hangs up on nobody, so socat may fail writing; what counts
	// is that it connected (no connect error) and got no reply.
	out, stderr, _ := client(true)
	if strings.Contains(stderr, "connect(") {
		t.Fatalf("nobody could not even connect, so the peer check was not exercised: %s", stderr)
	}
	if len(out) != 0 {
		t.Fatalf("nobody got a reply: %q", out)
	}
	if n := it.calls.Load(); n != 1 {
		t.Errorf("handler ran %d times, want once (own user only)", n)
	}
	if !strings.Contains(it.log.String(), "peer UID 65534") {
		t.Errorf("rejection not logged: %s", it.log.String())
	}
}

func TestDirMustBePrivate(t *testing.T) {
	open := t.TempDir()
	os.Chmod(open, 0o755)
	t.Setenv("XDG_RUNTIME_DIR", open)
	if _, err := Dir(); err == nil {
		t.Error("a 0755 runtime dir was accepted")
	}
	// Acquire does not use the directory; the session is still held, by
	// its socket name alone, and Degraded says why.
	if l, err := Acquire(); err != nil {
		t.Errorf("Acquire in a 0755 runtime dir: %v", err)
	} else {
		if d := l.Degraded(); d == nil || !strings.Contains(d.Error(), "mode 0700") {
			t.Errorf("Degraded() = %v, want the directory's fault", d)
		}
		l.Release()
	}
	if ents, _ := os.ReadDir(open); len(ents) != 0 {
		t.Errorf("Acquire wrote into the untrusted directory: %v", ents)
	}
	tmp := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("TMPDIR", tmp)
	d, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 || filepath.Dir(d) != tmp {
		t.Errorf("fallback dir %s: %v %v", d, fi.Mode(), err)
	}
	// A symlink planted at the fallback name is not ours to use.
	os.Remove(d)
	os.Symlink(open, d)
	if _, err := Dir(); err == nil {
		t.Error("a symlinked fallback dir was accepted")
	}
}

// BenchmarkForwardCheckNow is the cost of one forwarded request over the
// real socket (connect, peer check, framing, reply), without the check.
func BenchmarkForwardCheckNow(b *testing.B) {
	d := b.TempDir()
	os.Chmod(d, 0o700)
	b.Setenv("XDG_RUNTIME_DIR", d)
	l, err := Acquire()
	if err != nil {
		b.Fatal(err)
	}
	defer l.Release()
	srv, err := l.Listen(func(context.Context, Message) Reply { return Reply{} },
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if rep, err := Send(ctx, Message{Op: OpCheckNow}); err != nil || rep.Error != "" {
			b.Fatal(rep, err)
		}
	}
}

// TestCloseDoesNotWaitForSilentClients: a same-user client that connects and
// never sends must not hold Server.Close (and so the tray's Quit) for the
// read timeout. The timeout is made an hour, so only the cut can end it.
func TestCloseDoesNotWaitForSilentClients(t *testing.T) {
	runtimeDir(t)
	old := connTimeout
	connTimeout = time.Hour
	t.Cleanup(func() { connTimeout = old })
	it := startInstance(t)
	// A full exchange first proves the accept loop is serving.
	if _, err := Send(context.Background(), Message{Op: OpCheckNow}); err != nil {
		t.Fatal(err)
	}
	p, err := socketPath()
	if err != nil {
		t.Fatal(err)
	}
	silent, err := net.Dial("unix", p)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	time.Sleep(100 * time.Millisecond) // let the server pick it up; a miss only makes the test pass vacuously
	closed := make(chan struct{})
	go func() { it.srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(time.Minute):
		t.Fatal("Server.Close waited for a silent client")
	}
}
