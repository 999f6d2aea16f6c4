//go:build linux

package notify

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/traycheck/traycheck/internal/notify/dbustest"
)

// fakeDaemon is the org.freedesktop.Notifications side, owned by a test
// connection on a private bus. It stands in for xfce4-notifyd and dunst here;
// the desktop e2e tests use the real ones.
type fakeDaemon struct {
	conn *dbus.Conn
	caps []string

	mu     sync.Mutex
	nextID uint32
	calls  []notifyCall
}

type notifyCall struct {
	replaces uint32
	summary  string
	body     string
	actions  []string
	hints    map[string]dbus.Variant
	timeout  int32
}

func (d *fakeDaemon) GetCapabilities() ([]string, *dbus.Error) { return d.caps, nil }

func (d *fakeDaemon) Notify(app string, replaces uint32, icon, summary, body string, actions []string,
	hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, notifyCall{replaces, summary, body, actions, hints, timeout})
	if replaces != 0 {
		return replaces, nil
	}
	d.nextID++
	return d.nextID, nil
}

func (d *fakeDaemon) CloseNotification(id uint32) *dbus.Error { return nil }

func (d *fakeDaemon) last(t *testing.T) notifyCall {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.calls) == 0 {
		t.Fatal("daemon got no Notify call")
	}
	return d.calls[len(d.calls)-1]
}

func (d *fakeDaemon) emit(t *testing.T, member string, body ...any) {
	t.Helper()
	if err := d.conn.Emit(fdoPath, fdoName+"."+member, body...); err != nil {
		t.Fatal(err)
	}
}

func startDaemon(t *testing.T, bus *dbustest.Bus, caps ...string) *fakeDaemon {
	t.Helper()
	d := &fakeDaemon{conn: bus.Conn(t), caps: caps}
	if err := d.conn.Export(d, fdoPath, fdoName); err != nil {
		t.Fatal(err)
	}
	if r, err := d.conn.RequestName(fdoName, dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning %s: %v %v", fdoName, r, err)
	}
	return d
}

func newTestNotifier(t *testing.T) *freedesktop {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := New(ctx, Options{AppName: "traycheck-test"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { n.Close() })
	return n.(*freedesktop)
}

// sync waits until the bus has routed everything c sent before: the bus
// handles one connection's messages in order, so its reply to a Ping comes
// after it queued c's earlier signals.
func syncBus(t *testing.T, c *dbus.Conn) {
	t.Helper()
	if err := c.BusObject().Call("org.freedesktop.DBus.Peer.Ping", 0).Err; err != nil {
		t.Fatal(err)
	}
}

func next(t *testing.T, n Notifier) Response {
	t.Helper()
	select {
	case r := <-n.Responses():
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no response within 10s")
	}
	return Response{}
}

var holdNote = Note{
	Tag: "udp/1194", Title: "udp/1194 is held by python3 (PID 4242)", Body: "held by <b>evil</b> & co",
	Buttons: []Button{{"retry", "Retry"}, {"end-process", "End python3"}}, Token: "tok1", Urgent: true, Kind: KindConflict,
}

func TestShowSendsActionsHintsAndReplaces(t *testing.T) {
	bus := dbustest.Start(t, "")
	d := startDaemon(t, bus, "actions", "body", "body-markup", "persistence")
	n := newTestNotifier(t)
	ctx := context.Background()
	if err := n.Show(ctx, holdNote); err != nil {
		t.Fatal(err)
	}
	c := d.last(t)
	// Issue 25: the server's default timeout, never "stay forever".
	if c.replaces != 0 || c.summary != holdNote.Title || c.timeout != -1 {
		t.Errorf("first call = %+v", c)
	}
	if want := []string{"retry", "Retry", "end-process", "End python3"}; !equal(c.actions, want) {
		t.Errorf("actions = %q, want %q", c.actions, want)
	}
	if c.body != "held by &lt;b&gt;evil&lt;/b&gt; &amp; co" {
		t.Errorf("body not escaped for a markup daemon: %q", c.body)
	}
	// A conflict is normal urgency (critical passes Do Not Disturb), kept
	// (resident) by a server that keeps notes, and says who sent it.
	wantHints := map[string]any{"urgency": byte(1), "desktop-entry": "traycheck", "image-path": "traycheck",
		"category": "network.error", "resident": true}
	for k, want := range wantHints {
		if got := c.hints[k].Value(); got != want {
			t.Errorf("hint %s = %v, want %v", k, c.hints[k], want)
		}
	}
	if err := n.Show(ctx, Note{Tag: "udp/1194", Title: "again", Kind: KindResult}); err != nil {
		t.Fatal(err)
	}
	c = d.last(t)
	if c.replaces != 1 {
		t.Errorf("second note for the same tag replaces %d, want 1", c.replaces)
	}
	if u, _ := c.hints["urgency"].Value().(byte); u != 1 || c.hints["category"].Value() != "network" || c.hints["resident"].Value() != nil {
		t.Errorf("a result's hints = %v, want normal urgency, category network, not resident", c.hints)
	}
	// Critical only when the caller says the VPN is failing now.
	if err := n.Show(ctx, Note{Tag: "udp/1194", Title: "failing", Kind: KindConflict, Critical: true}); err != nil {
		t.Fatal(err)
	}
	if u, _ := d.last(t).hints["urgency"].Value().(byte); u != 2 {
		t.Errorf("a failing VPN's urgency = %v, want 2", u)
	}
	if err := n.Show(ctx, Note{Tag: "tcp/22", Title: "other"}); err != nil {
		t.Fatal(err)
	}
	if c := d.last(t); c.replaces != 0 {
		t.Errorf("a note for another tag replaces %d, want 0", c.replaces)
	}
}

func TestOnlyGenuineAnswersCount(t *testing.T) {
	bus := dbustest.Start(t, "")
	d := startDaemon(t, bus, "actions", "body")
	n := newTestNotifier(t)
	if err := n.Show(context.Background(), holdNote); err != nil {
		t.Fatal(err)
	}
	if c := d.last(t); c.body != holdNote.Body {
		t.Errorf("body escaped for a daemon without body-markup: %q", c.body)
	}
	self := n.conn.Names()[0]

	forger := bus.Conn(t)
	forgeries := []struct {
		name string
		body []any
	}{
		{"ActionInvoked", []any{uint32(1), "end-process"}},  // wrong sender
		{"NotificationClosed", []any{uint32(1), uint32(2)}}, // wrong sender
		{"ActionInvoked", []any{"1", "end-process"}},        // wrong types
		{"ActionInvoked", []any{uint32(1)}},                 // wrong arity
		{"ActionInvoked", []any{uint32(1), int32(7)}},       // wrong key type
	}
	for _, f := range forgeries {
		if err := dbustest.Unicast(forger, self, fdoPath, fdoName+"."+f.name, f.body...); err != nil {
			t.Fatal(err)
		}
		if err := forger.Emit(fdoPath, fdoName+"."+f.name, f.body...); err != nil {
			t.Fatal(err)
		}
	}
	// A forged NameOwnerChanged from a client must not make it the owner.
	if err := dbustest.Unicast(forger, self, "/org/freedesktop/DBus", "org.freedesktop.DBus.NameOwnerChanged",
		fdoName, d.conn.Names()[0], forger.Names()[0]); err != nil {
		t.Fatal(err)
	}
	if err := dbustest.Unicast(forger, self, fdoPath, fdoName+".ActionInvoked", uint32(1), "end-process"); err != nil {
		t.Fatal(err)
	}
	syncBus(t, forger)
	// The genuine daemon, but not for a note of ours, or not one of its keys,
	// or malformed, or on the wrong path.
	d.emit(t, "ActionInvoked", uint32(99), "end-process")
	d.emit(t, "ActionInvoked", uint32(1), "reboot-suggested")
	d.emit(t, "ActionInvoked", uint32(1), "retry", "extra")
	if err := d.conn.Emit("/elsewhere", fdoName+".ActionInvoked", uint32(1), "end-process"); err != nil {
		t.Fatal(err)
	}
	// Then the one genuine answer: it must be the first response.
	d.emit(t, "ActionInvoked", uint32(1), "retry")
	r := next(t, n)
	if want := (Response{Tag: "udp/1194", Action: "retry", Token: "tok1"}); r != want {
		t.Fatalf("first response = %+v, want %+v", r, want)
	}
	// The note is answered: a repeat, and the close that follows, are ignored.
	d.emit(t, "ActionInvoked", uint32(1), "end-process")
	d.emit(t, "NotificationClosed", uint32(1), uint32(2))

	// A dismissal of a new note is reported; an expiry is not.
	if err := n.Show(context.Background(), Note{Tag: "tcp/22", Token: "tok2"}); err != nil {
		t.Fatal(err)
	}
	if err := n.Show(context.Background(), Note{Tag: "tcp/23", Token: "tok3"}); err != nil {
		t.Fatal(err)
	}
	d.emit(t, "NotificationClosed", uint32(3), uint32(1))
	d.emit(t, "NotificationClosed", uint32(2), uint32(2))
	if r := next(t, n); r != (Response{Tag: "tcp/22", Token: "tok2", Dismissed: true}) {
		t.Fatalf("response = %+v, want the dismissal of tcp/22", r)
	}
	select {
	case r := <-n.Responses():
		t.Fatalf("unexpected extra response %+v", r)
	default:
	}
}

func TestNewDaemonForgetsOldIDs(t *testing.T) {
	bus := dbustest.Start(t, "")
	d := startDaemon(t, bus, "actions")
	n := newTestNotifier(t)
	if err := n.Show(context.Background(), holdNote); err != nil {
		t.Fatal(err)
	}
	// The daemon goes away and another program takes the name: it must not
	// be able to answer the old daemon's notes.
	if _, err := d.conn.ReleaseName(fdoName); err != nil {
		t.Fatal(err)
	}
	d2 := startDaemon(t, bus, "actions")
	d2.emit(t, "ActionInvoked", uint32(1), "end-process")
	// Ordering: once the new owner's answer to a fresh note arrives, the
	// stale one has been seen and dropped.
	if err := n.Show(context.Background(), Note{Tag: "udp/1194", Token: "t9", Buttons: []Button{{"retry", "Retry"}}}); err != nil {
		t.Fatal(err)
	}
	if c := d2.last(t); c.replaces != 0 {
		t.Errorf("note to a new daemon replaces id %d of the old one", c.replaces)
	}
	d2.emit(t, "ActionInvoked", uint32(1), "retry")
	if r := next(t, n); r != (Response{Tag: "udp/1194", Action: "retry", Token: "t9"}) {
		t.Fatalf("response = %+v", r)
	}
}

func TestNoActionsCapability(t *testing.T) {
	bus := dbustest.Start(t, "")
	d := startDaemon(t, bus, "body")
	n := newTestNotifier(t)
	if n.SupportsActions(context.Background()) {
		t.Error("SupportsActions true for a daemon without actions")
	}
	if err := n.Show(context.Background(), holdNote); err != nil {
		t.Fatal(err)
	}
	if c := d.last(t); len(c.actions) != 0 {
		t.Errorf("actions sent to a daemon that cannot show them: %q", c.actions)
	}
}

func TestUnavailable(t *testing.T) {
	ctx := context.Background()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "nobus"))
	if _, err := New(ctx, Options{}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("no bus: err = %v, want ErrUnavailable", err)
	}
	dbustest.Start(t, "") // a bus with no notification daemon, none activatable
	if _, err := New(ctx, Options{}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("no daemon: err = %v, want ErrUnavailable", err)
	}
}

func TestCloseEndsResponses(t *testing.T) {
	bus := dbustest.Start(t, "")
	startDaemon(t, bus, "actions")
	n := newTestNotifier(t)
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-n.Responses(); ok {
		t.Error("Responses still open after Close")
	}
	if err := n.Show(context.Background(), holdNote); err == nil {
		t.Error("Show after Close succeeded")
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestAnsweredNoteIsNotReplaced: the daemon closes an answered note; if the
// confirmation replaced it in place, that late close would take the
// confirmation with it (seen with xfce4-notifyd).
func TestAnsweredNoteIsNotReplaced(t *testing.T) {
	bus := dbustest.Start(t, "")
	d := startDaemon(t, bus, "actions")
	n := newTestNotifier(t)
	ctx := context.Background()
	if err := n.Show(ctx, holdNote); err != nil {
		t.Fatal(err)
	}
	d.emit(t, "ActionInvoked", uint32(1), "end-process")
	if r := next(t, n); r.Action != "end-process" {
		t.Fatalf("response = %+v", r)
	}
	confirm := Note{Tag: holdNote.Tag, Title: "End python3?", Token: "tok2",
		Buttons: []Button{{"confirm-end-process", "End it"}, {"cancel", "Cancel"}}}
	if err := n.Show(ctx, confirm); err != nil {
		t.Fatal(err)
	}
	if c := d.last(t); c.replaces != 0 {
		t.Fatalf("the confirmation replaces the answered note %d", c.replaces)
	}
	d.emit(t, "NotificationClosed", uint32(1), uint32(2)) // the late close of the answered note
	d.emit(t, "ActionInvoked", uint32(2), "confirm-end-process")
	if r := next(t, n); r != (Response{Tag: holdNote.Tag, Action: "confirm-end-process", Token: "tok2"}) {
		t.Fatalf("response = %+v, want the confirmation", r)
	}
}

// FuzzHandle feeds arbitrary signals to the vetting code: whatever a local
// program sends, handle must not panic, and only the daemon's well-formed
// answer to a key we offered may become a response.
func FuzzHandle(f *testing.F) {
	f.Add(uint8(0), uint8(0), uint32(1), "end-process", uint32(2), uint8(0))
	f.Add(uint8(1), uint8(1), uint32(1), "retry", uint32(2), uint8(1))
	f.Add(uint8(2), uint8(2), uint32(7), "", uint32(0), uint8(2))
	f.Fuzz(func(t *testing.T, senderSel, nameSel uint8, id uint32, key string, reason uint32, shape uint8) {
		n := &freedesktop{
			log:   slogDiscard(),
			owner: ":1.5",
			byTag: map[string]uint32{"udp/1194": 1},
			notes: map[uint32]shown{1: {tag: "udp/1194", token: "t", keys: []string{"retry", "end-process"}}},
		}
		senders := []string{":1.5", ":1.9", "org.freedesktop.DBus", ""}
		names := []string{fdoName + ".ActionInvoked", fdoName + ".NotificationClosed", busName + ".NameOwnerChanged", "x.y"}
		bodies := [][]any{
			{id, key}, {id, reason}, {key, key, key}, {id}, {}, {key, id}, {id, key, reason}, {nil, nil},
		}
		sig := &dbus.Signal{
			Sender: senders[int(senderSel)%len(senders)],
			Path:   fdoPath,
			Name:   names[int(nameSel)%len(names)],
			Body:   bodies[int(shape)%len(bodies)],
		}
		r, ok := n.handle(sig)
		if !ok {
			return
		}
		genuine := sig.Sender == ":1.5" && id == 1 && len(sig.Body) == 2
		if !genuine {
			t.Fatalf("signal %+v became response %+v", sig, r)
		}
		if r.Action != "" && r.Action != "retry" && r.Action != "end-process" {
			t.Fatalf("response with a key never offered: %+v", r)
		}
	})
}

func slogDiscard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
