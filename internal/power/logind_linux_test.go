package power

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/traycheck/traycheck/internal/power/powertest"
)

type logindWatch struct {
	events <-chan Event
	ready  chan string
	clock  *stepClock
}

// watchLogind runs Watch with only the logind source, on the bus the test
// started, and waits until it has subscribed.
func watchLogind(t *testing.T) *logindWatch {
	t.Helper()
	w := &logindWatch{ready: make(chan string, 8), clock: &stepClock{}}
	ctx, cancel := context.WithCancel(context.Background())
	ev, err := Watch(ctx, Options{NoClock: true, Clock: w.clock, ready: func(u string) { w.ready <- u }})
	if err != nil {
		t.Fatal(err)
	}
	w.events = ev
	t.Cleanup(func() {
		cancel()
		for range ev { // drain until every source stopped
		}
	})
	return w
}

func (w *logindWatch) waitReady(t *testing.T) string {
	t.Helper()
	select {
	case u := <-w.ready:
		return u
	case <-time.After(10 * time.Second):
		t.Fatal("the logind source did not subscribe within 10s")
	}
	return ""
}

func (w *logindWatch) next(t *testing.T) Event {
	t.Helper()
	select {
	case e := <-w.events:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no power event within 10s")
	}
	return Event{}
}

func TestLogindSuspendResume(t *testing.T) {
	bus := powertest.StartBus(t)
	logind := bus.StartLogind()
	w := watchLogind(t)
	w.waitReady(t)

	w.clock.set(5*time.Second, nil)
	if err := logind.PrepareForSleep(true); err != nil {
		t.Fatal(err)
	}
	if e := w.next(t); e.Kind != Suspend || e.Source != "logind" {
		t.Fatalf("got %+v, want a logind suspend", e)
	}
	w.clock.set(95*time.Second, nil) // the machine slept 90 s
	if err := logind.PrepareForSleep(false); err != nil {
		t.Fatal(err)
	}
	if e := w.next(t); e.Kind != Resume || e.Slept != 90*time.Second {
		t.Fatalf("got %+v, want a resume after 90s asleep", e)
	}
}

func TestLogindIgnoresForgedSignals(t *testing.T) {
	bus := powertest.StartBus(t)
	logind := bus.StartLogind()
	w := watchLogind(t)
	me := w.waitReady(t)

	forger := bus.Conn()
	if err := powertest.Forge(forger, "", false); err != nil { // broadcast
		t.Fatal(err)
	}
	if err := powertest.Forge(forger, me, false); err != nil { // unicast to us: no match rule filters it
		t.Fatal(err)
	}
	// The bus has routed both forgeries to us before this real signal, so
	// had one been believed, it would come out first.
	if err := logind.PrepareForSleep(true); err != nil {
		t.Fatal(err)
	}
	if e := w.next(t); e.Kind != Suspend {
		t.Fatalf("first event %+v: a forged PrepareForSleep(false) was believed", e)
	}
}

func TestLogindRestartKeepsEventsFlowing(t *testing.T) {
	bus := powertest.StartBus(t)
	first := bus.StartLogind()
	w := watchLogind(t)
	w.waitReady(t)
	old := first.Conn.Names()[0]
	first.Close()

	second := bus.StartLogind()
	if err := second.PrepareForSleep(true); err != nil {
		t.Fatal(err)
	}
	if e := w.next(t); e.Kind != Suspend {
		t.Fatalf("after a logind restart: %+v", e)
	}
	// The old owner's name is gone for good; a peer that took over its role
	// is the only one believed.
	if second.Conn.Names()[0] == old {
		t.Fatal("the new logind must have a new unique name")
	}
}

func TestLogindReconnectsAfterBusRestart(t *testing.T) {
	bus := powertest.StartBus(t)
	w := watchLogind(t)
	w.waitReady(t)
	bus.Restart()
	w.waitReady(t) // reconnected (after the first backoff step)
	logind := bus.StartLogind()
	if err := logind.PrepareForSleep(true); err != nil {
		t.Fatal(err)
	}
	if e := w.next(t); e.Kind != Suspend {
		t.Fatalf("after a bus restart: %+v", e)
	}
}

func TestLogindStateTrustsOnlyTheOwner(t *testing.T) {
	l := logindState{opts: Options{Clock: &stepClock{}}, owner: ":1.5"}
	l.opts.fill()
	sig := func(sender string, path dbus.ObjectPath, body ...any) *dbus.Signal {
		return &dbus.Signal{Sender: sender, Path: path, Name: prepareSleep, Body: body}
	}
	for _, s := range []*dbus.Signal{
		sig(":1.9", login1Path, true),   // not the owner
		sig(":1.5", "/elsewhere", true), // owner, wrong object
		sig(":1.5", login1Path),         // no argument
		sig(":1.5", login1Path, "yes"),  // wrong type
		{Sender: ":1.9", Name: ownerChanged, Body: []any{login1Name, ":1.5", ":1.9"}}, // owner change not from the bus
	} {
		if e, ok := l.handle(s); ok {
			t.Errorf("signal %+v made event %+v", s, e)
		}
	}
	if l.owner != ":1.5" {
		t.Fatalf("owner changed to %q by a peer", l.owner)
	}
	l.handle(&dbus.Signal{Sender: busName, Name: ownerChanged, Body: []any{login1Name, ":1.5", ""}})
	if _, ok := l.handle(sig(":1.5", login1Path, true)); ok {
		t.Fatal("a signal after logind left must be ignored")
	}
	l.handle(&dbus.Signal{Sender: busName, Name: ownerChanged, Body: []any{login1Name, "", ":1.7"}})
	if e, ok := l.handle(sig(":1.7", login1Path, true)); !ok || e.Kind != Suspend {
		t.Fatalf("the new owner's signal: %+v %v", e, ok)
	}
}

func TestBootClock(t *testing.T) {
	a, err := bootClock{}.Asleep()
	if err != nil || a < 0 {
		t.Fatalf("Asleep() = %v, %v", a, err)
	}
}

// FuzzLogindHandle feeds signals with arbitrary senders, names and bodies:
// the handler must never panic, and only the owner's well-formed
// PrepareForSleep may make an event.
func FuzzLogindHandle(f *testing.F) {
	f.Add(":1.5", prepareSleep, "/org/freedesktop/login1", true, "", 0)
	f.Add("org.freedesktop.DBus", ownerChanged, "/org/freedesktop/DBus", false, ":1.9", 3)
	f.Add(":1.9", prepareSleep, "/org/freedesktop/login1", false, "x", 2)
	f.Fuzz(func(t *testing.T, sender, name, path string, b bool, s string, shape int) {
		l := logindState{opts: Options{Clock: &stepClock{}, Log: slog.New(slog.DiscardHandler)}, owner: ":1.5"}
		l.opts.fill()
		var body []any
		switch shape % 4 {
		case 1:
			body = []any{b}
		case 2:
			body = []any{s, b}
		case 3:
			body = []any{login1Name, ":1.5", s}
		}
		e, ok := l.handle(&dbus.Signal{Sender: sender, Name: name, Path: dbus.ObjectPath(path), Body: body})
		if ok && (sender != ":1.5" || name != prepareSleep || path != string(login1Path) || len(body) != 1) {
			t.Fatalf("event %+v from sender %q name %q path %q body %v", e, sender, name, path, body)
		}
	})
}

func TestLogindDelayLockHeldUntilSuspend(t *testing.T) {
	bus := powertest.StartBus(t)
	logind := bus.StartLogind()
	w := watchLogind(t)
	w.waitReady(t)
	lk := logind.NextLock()
	if lk.What != "sleep" || lk.Mode != "delay" || lk.Who != "traycheck" {
		t.Fatalf("lock %+v, want a sleep delay lock by traycheck", lk)
	}
	if !lk.Held() {
		t.Fatal("the delay lock was released before any suspend")
	}
	if err := logind.PrepareForSleep(true); err != nil {
		t.Fatal(err)
	}
	if e := w.next(t); e.Kind != Suspend {
		t.Fatalf("got %+v", e)
	}
	if err := lk.WaitReleased(10 * time.Second); err != nil {
		t.Fatalf("after the suspend was noted: %v", err)
	}
	if err := logind.PrepareForSleep(false); err != nil {
		t.Fatal(err)
	}
	if e := w.next(t); e.Kind != Resume {
		t.Fatalf("got %+v", e)
	}
	// The resume took a new lock, and the next suspend releases it. (Its
	// fd must not be touched before the client has it: the suspend's event
	// proves that.)
	again := logind.NextLock()
	if err := logind.PrepareForSleep(true); err != nil {
		t.Fatal(err)
	}
	if e := w.next(t); e.Kind != Suspend {
		t.Fatalf("got %+v", e)
	}
	if err := again.WaitReleased(10 * time.Second); err != nil {
		t.Fatalf("the lock taken after the resume: %v", err)
	}
}

func TestLogindWithoutInhibitSupportStillWorks(t *testing.T) {
	bus := powertest.StartBus(t)
	// A logind-like owner with no Inhibit method (elogind builds, a proxy).
	c := bus.Conn()
	if r, err := c.RequestName(powertest.Name, dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("taking the name: %v %v", r, err)
	}
	w := watchLogind(t)
	w.waitReady(t)
	if err := c.Emit(powertest.Path, powertest.Iface+".PrepareForSleep", true); err != nil {
		t.Fatal(err)
	}
	if e := w.next(t); e.Kind != Suspend {
		t.Fatalf("got %+v", e)
	}
}
