// Package dbustest starts a private dbus-daemon for a test, so tests of D-Bus
// clients (notifications, the tray) talk to a real bus without touching the
// user's session.
package dbustest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/traycheck/traycheck/internal/testenv"
)

// Bus is a running private session bus.
type Bus struct {
	// Address is the bus address, for DBUS_SESSION_BUS_ADDRESS.
	Address string
}

// Start runs a private dbus-daemon until the test ends and points
// DBUS_SESSION_BUS_ADDRESS at it for the test (t.Setenv: not parallel-safe).
// serviceDir, when not empty, is where the bus looks for activatable
// services; by default none are activatable, so no stray daemon starts.
func Start(t testing.TB, serviceDir string) *Bus {
	t.Helper()
	bin := testenv.LookPath(t, "dbus-daemon")
	dir := t.TempDir()
	if serviceDir == "" {
		serviceDir = filepath.Join(dir, "services")
		if err := os.Mkdir(serviceDir, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	conf := filepath.Join(dir, "bus.conf")
	// A minimal session config: our own socket, our own service directory,
	// allow-all policy. The system's session.conf would pull in the host's
	// services (xfce4-notifyd, dunst) and activate them behind our back.
	err := os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=`+dir+`</listen>
  <auth>EXTERNAL</auth>
  <servicedir>`+serviceDir+`</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--config-file="+conf, "--nofork", "--nopidfile", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder // dbus-daemon's complaints, shown only on failure
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting dbus-daemon: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("dbus-daemon stderr:\n%s", stderr.String())
		}
	})
	addrCh := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		addrCh <- strings.TrimSpace(line)
	}()
	select {
	case addr := <-addrCh:
		if addr == "" {
			t.Fatal("dbus-daemon printed no address")
		}
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
		return &Bus{Address: addr}
	case <-time.After(10 * time.Second):
		t.Fatal("dbus-daemon did not print its address within 10s")
	}
	return nil
}

// Conn opens a new private connection to the bus, closed when the test ends.
func (b *Bus) Conn(t testing.TB) *dbus.Conn {
	t.Helper()
	c, err := dbus.Dial(b.Address)
	if err != nil {
		t.Fatalf("dialing %s: %v", b.Address, err)
	}
	if err := c.Auth(nil); err != nil {
		t.Fatalf("auth: %v", err)
	}
	if err := c.Hello(); err != nil {
		t.Fatalf("hello: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Unicast sends a signal to one destination only, the way dunst answers the
// caller. Unicast signals are not filtered by match rules, so this is how a
// hostile local program would forge a daemon's answer.
func Unicast(c *dbus.Conn, dest string, path dbus.ObjectPath, name string, body ...any) error {
	i := strings.LastIndex(name, ".")
	if i < 0 {
		return fmt.Errorf("signal name %q has no interface", name)
	}
	msg := &dbus.Message{Type: dbus.TypeSignal, Headers: map[dbus.HeaderField]dbus.Variant{
		dbus.FieldPath:        dbus.MakeVariant(path),
		dbus.FieldInterface:   dbus.MakeVariant(name[:i]),
		dbus.FieldMember:      dbus.MakeVariant(name[i+1:]),
		dbus.FieldDestination: dbus.MakeVariant(dest),
	}, Body: body}
	if len(body) > 0 {
		msg.Headers[dbus.FieldSignature] = dbus.MakeVariant(dbus.SignatureOf(body...))
	}
	return c.Send(msg, nil).Err
}
