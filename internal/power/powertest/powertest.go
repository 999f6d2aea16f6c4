// Package powertest runs a private dbus-daemon as the system bus and a fake
// systemd-logind on it, so tests of traycheck's power events use a real bus
// and only fake the sleeping machine. There is no system bus on CI machines;
// the bus here is pointed to by DBUS_SYSTEM_BUS_ADDRESS.
package powertest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/traycheck/traycheck/internal/testenv"
)

// logind's name, object and interface.
const (
	Name  = "org.freedesktop.login1"
	Path  = dbus.ObjectPath("/org/freedesktop/login1")
	Iface = "org.freedesktop.login1.Manager"
)

// Bus is a private bus standing in for the system bus.
type Bus struct {
	// Address is what DBUS_SYSTEM_BUS_ADDRESS is set to.
	Address string
	t       testing.TB
	bin     string
	conf    string
	sock    string
	cancel  context.CancelFunc
	cmd     *exec.Cmd
}

// StartBus starts a dbus-daemon on a fixed socket path (so a restart keeps
// the address) and sets DBUS_SYSTEM_BUS_ADDRESS for the rest of the test
// (t.Setenv: the test must not be parallel). A missing dbus-daemon skips the
// test, or fails it in CI (testenv).
func StartBus(t testing.TB) *Bus {
	t.Helper()
	b := &Bus{t: t, bin: testenv.LookPath(t, "dbus-daemon")}
	dir := t.TempDir()
	b.sock = filepath.Join(dir, "system_bus_socket")
	b.conf = filepath.Join(dir, "system.conf")
	b.Address = "unix:path=" + b.sock
	// A custom bus type: no activation, no host services, allow-all policy.
	conf := `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>custom</type>
  <listen>` + b.Address + `</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`
	if err := os.WriteFile(b.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	b.start()
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", b.Address)
	t.Cleanup(b.Stop)
	return b
}

func (b *Bus) start() {
	b.t.Helper()
	os.Remove(b.sock) // a killed daemon leaves its socket behind
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, b.bin, "--config-file="+b.conf, "--nofork", "--nopidfile", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		b.t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		cancel()
		b.t.Fatalf("starting dbus-daemon: %v", err)
	}
	b.cmd, b.cancel = cmd, cancel
	// The daemon prints its address once it listens: wait for that line.
	ready := make(chan error, 1)
	go func() {
		buf := make([]byte, 512)
		_, err := out.Read(buf)
		ready <- err
	}()
	select {
	case err := <-ready:
		if err != nil {
			b.t.Fatalf("dbus-daemon printed no address: %v", err)
		}
	case <-time.After(10 * time.Second):
		b.t.Fatal("dbus-daemon did not start within 10s")
	}
}

// Stop kills the daemon; every connection to it breaks.
func (b *Bus) Stop() {
	if b.cmd == nil {
		return
	}
	b.cancel()
	_ = b.cmd.Wait()
	b.cmd = nil
}

// Restart stops the daemon and starts a new one at the same address.
func (b *Bus) Restart() {
	b.t.Helper()
	b.Stop()
	b.start()
}

// Conn opens a connection to the bus, closed when the test ends.
func (b *Bus) Conn() *dbus.Conn {
	b.t.Helper()
	c, err := dbus.Connect(b.Address)
	if err != nil {
		b.t.Fatalf("connecting to %s: %v", b.Address, err)
	}
	b.t.Cleanup(func() { c.Close() })
	return c
}

// Logind is a fake systemd-logind: a connection that owns
// org.freedesktop.login1, emits PrepareForSleep and hands out inhibitor
// locks.
type Logind struct {
	Conn *dbus.Conn
	t    testing.TB
	mgr  *manager
}

// manager is the exported org.freedesktop.login1.Manager object.
type manager struct {
	locks chan *Lock
}

// Inhibit hands out a lock as logind does: the write end of a pipe. The
// lock is released when every copy of that end is closed, which the test
// sees as EOF on the read end.
func (m *manager) Inhibit(what, who, why, mode string) (dbus.UnixFD, *dbus.Error) {
	r, w, err := os.Pipe()
	if err != nil {
		return 0, dbus.MakeFailedError(err)
	}
	fd := dbus.UnixFD(w.Fd()) // before the test can see (and close) w
	l := &Lock{What: what, Who: who, Why: why, Mode: mode, r: r, w: w}
	select {
	case m.locks <- l:
	default:
		r.Close()
		w.Close()
		return 0, dbus.MakeFailedError(fmt.Errorf("too many inhibitor locks"))
	}
	return fd, nil
}

// Lock is an inhibitor lock the fake logind handed out.
type Lock struct {
	What, Who, Why, Mode string
	r, w                 *os.File
}

// StartLogind connects a fake logind and takes logind's name.
func (b *Bus) StartLogind() *Logind {
	b.t.Helper()
	c := b.Conn()
	mgr := &manager{locks: make(chan *Lock, 16)}
	if err := c.Export(mgr, Path, Iface); err != nil {
		b.t.Fatalf("exporting the fake logind: %v", err)
	}
	r, err := c.RequestName(Name, dbus.NameFlagDoNotQueue)
	if err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		b.t.Fatalf("taking %s: reply %v, %v", Name, r, err)
	}
	return &Logind{Conn: c, t: b.t, mgr: mgr}
}

// NextLock waits for the next inhibitor lock a client takes.
func (l *Logind) NextLock() *Lock {
	l.t.Helper()
	select {
	case lk := <-l.mgr.locks:
		l.t.Cleanup(func() { lk.r.Close(); lk.w.Close() })
		return lk
	case <-time.After(10 * time.Second):
		l.t.Fatal("no inhibitor lock taken within 10s")
	}
	return nil
}

// Held reports whether the client still holds the lock, looking for 50 ms
// (a held lock cannot be told apart from one about to be released, so call
// it when the client has no reason to release). It closes the fake's copy,
// so call it (and WaitReleased) only once the client surely received the
// lock, never right after NextLock.
func (lk *Lock) Held() bool {
	lk.w.Close()
	if err := lk.r.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
		return false
	}
	var b [1]byte
	_, err := lk.r.Read(b[:])
	return errors.Is(err, os.ErrDeadlineExceeded)
}

// WaitReleased waits until the client closed its copy of the lock. It
// closes the fake's own copy first, so only the client's keeps it held.
func (lk *Lock) WaitReleased(within time.Duration) error {
	lk.w.Close()
	if err := lk.r.SetReadDeadline(time.Now().Add(within)); err != nil {
		return fmt.Errorf("waiting for the lock: %w", err)
	}
	var b [1]byte
	if _, err := lk.r.Read(b[:]); err != io.EOF {
		return fmt.Errorf("lock still held after %v (%v)", within, err)
	}
	return nil
}

// PrepareForSleep emits logind's signal: true before a suspend, false after
// the resume.
func (l *Logind) PrepareForSleep(start bool) error {
	if err := l.Conn.Emit(Path, Iface+".PrepareForSleep", start); err != nil {
		return fmt.Errorf("emitting PrepareForSleep(%v): %w", start, err)
	}
	return nil
}

// Close drops the fake logind's connection, as a crashed logind would.
func (l *Logind) Close() { l.Conn.Close() }

// Forge emits PrepareForSleep from c, which does not own logind's name: to
// dest only when dest is not empty (a unicast signal, which no match rule
// filters), else broadcast. It returns after the bus has routed it.
func Forge(c *dbus.Conn, dest string, start bool) error {
	msg := &dbus.Message{Type: dbus.TypeSignal, Headers: map[dbus.HeaderField]dbus.Variant{
		dbus.FieldPath:      dbus.MakeVariant(Path),
		dbus.FieldInterface: dbus.MakeVariant(Iface),
		dbus.FieldMember:    dbus.MakeVariant("PrepareForSleep"),
		dbus.FieldSignature: dbus.MakeVariant(dbus.SignatureOf(start)),
	}, Body: []any{start}}
	if dest != "" {
		msg.Headers[dbus.FieldDestination] = dbus.MakeVariant(dest)
	}
	if call := <-c.Send(msg, make(chan *dbus.Call, 1)).Done; call.Err != nil {
		return fmt.Errorf("forging PrepareForSleep: %w", call.Err)
	}
	// The bus handles one connection's messages in order: once it answered
	// this call, it has routed the signal.
	var id string
	return c.BusObject().Call("org.freedesktop.DBus.GetId", 0).Store(&id)
}
