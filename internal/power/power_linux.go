package power

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/godbus/dbus/v5"
	"golang.org/x/sys/unix"
)

// logind's well-known name, object and signal.
const (
	login1Name   = "org.freedesktop.login1"
	login1Path   = dbus.ObjectPath("/org/freedesktop/login1")
	login1Iface  = "org.freedesktop.login1.Manager"
	prepareSleep = login1Iface + ".PrepareForSleep"
	ownerChanged = "org.freedesktop.DBus.NameOwnerChanged"
	busName      = "org.freedesktop.DBus"
)

// Reconnect backoff for the logind source: first retry soon (the bus is
// being restarted), then settle at a retry a minute so a machine without
// a system bus pays almost nothing.
const (
	reconnectFirst = time.Second
	reconnectMax   = time.Minute
)

// bootClock is CLOCK_BOOTTIME - CLOCK_MONOTONIC: the kernel's total time
// asleep since boot. It grows exactly by each sleep, whoever started it.
type bootClock struct{}

func (bootClock) Asleep() (time.Duration, error) {
	// Monotonic first: the time between the two reads then only adds to
	// the result, which stays >= the true offset (never negative).
	var boot, mono unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &mono); err != nil {
		return 0, fmt.Errorf("reading CLOCK_MONOTONIC: %w", err)
	}
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &boot); err != nil {
		return 0, fmt.Errorf("reading CLOCK_BOOTTIME: %w", err)
	}
	return time.Duration(boot.Nano() - mono.Nano()), nil
}

func osClock() SleepClock { return bootClock{} }

func osSources(opts Options) []source {
	return []source{logindSource(opts)}
}

// logindSource follows logind's PrepareForSleep on the system bus
// (DBUS_SYSTEM_BUS_ADDRESS when set), reconnecting with backoff when the
// bus goes away.
func logindSource(opts Options) source {
	return func(ctx context.Context, emit func(Event)) {
		wait := reconnectFirst
		for {
			start := opts.Now()
			err := runLogind(ctx, opts, emit)
			if ctx.Err() != nil {
				return
			}
			if time.Since(start) > reconnectMax {
				wait = reconnectFirst // it ran a good while: a fresh failure
			}
			opts.Log.Debug("power: logind source stopped, reconnecting", "err", err, "in", wait)
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			wait = min(wait*2, reconnectMax)
		}
	}
}

// runLogind serves one connection to the system bus until it fails or ctx
// is done.
func runLogind(ctx context.Context, opts Options, emit func(Event)) error {
	conn, err := dbus.SystemBusPrivate()
	if err != nil {
		return fmt.Errorf("connecting to the system bus: %w", err)
	}
	defer conn.Close()
	if err := conn.Auth(nil); err != nil {
		return fmt.Errorf("authenticating to the system bus: %w", err)
	}
	if err := conn.Hello(); err != nil {
		return fmt.Errorf("greeting the system bus: %w", err)
	}
	sigs := make(chan *dbus.Signal, 16)
	conn.Signal(sigs)
	// Subscribe to owner changes before asking for the owner, so no change
	// falls between the two.
	if err := conn.AddMatchSignalContext(ctx,
		dbus.WithMatchSender(busName),
		dbus.WithMatchInterface(busName),
		dbus.WithMatchMember("NameOwnerChanged"),
		dbus.WithMatchArg(0, login1Name)); err != nil {
		return fmt.Errorf("subscribing to NameOwnerChanged: %w", err)
	}
	// The sender match makes the bus filter for us; the owner check below
	// does not rely on it.
	if err := conn.AddMatchSignalContext(ctx,
		dbus.WithMatchSender(login1Name),
		dbus.WithMatchObjectPath(login1Path),
		dbus.WithMatchInterface(login1Iface),
		dbus.WithMatchMember("PrepareForSleep")); err != nil {
		return fmt.Errorf("subscribing to PrepareForSleep: %w", err)
	}
	var owner string
	err = conn.BusObject().CallWithContext(ctx, busName+".GetNameOwner", 0, login1Name).Store(&owner)
	var derr dbus.Error
	if err != nil && !(errors.As(err, &derr) && derr.Name == "org.freedesktop.DBus.Error.NameHasNoOwner") {
		return fmt.Errorf("asking who owns %s: %w", login1Name, err)
	}
	opts.Log.Debug("power: watching logind", "owner", owner)
	inh := inhibitor{opts: opts, conn: conn}
	defer inh.release()
	if owner != "" {
		inh.take(ctx)
	}
	if opts.ready != nil {
		opts.ready(conn.Names()[0])
	}

	l := logindState{opts: opts, owner: owner}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-conn.Context().Done():
			return errors.New("system bus connection closed")
		case s, ok := <-sigs:
			if !ok {
				return errors.New("system bus connection closed")
			}
			prev := l.owner
			e, ok := l.handle(s)
			if l.owner != prev {
				// A lock from a logind that is gone protects nothing.
				inh.release()
				if l.owner != "" {
					inh.take(ctx)
				}
			}
			if !ok {
				continue
			}
			emit(e)
			if e.Kind == Suspend {
				inh.release() // noted: let the machine sleep now
			} else {
				inh.take(ctx)
			}
		}
	}
}

// inhibitTimeout bounds the Inhibit call, which runs on the signal loop.
const inhibitTimeout = 5 * time.Second

// inhibitor holds logind's "delay" sleep lock, a file descriptor: logind
// holds a suspend back (at most InhibitDelayMaxSec, 5 s by default) until it
// is closed. Failing to get one only costs that guarantee.
type inhibitor struct {
	opts Options
	conn *dbus.Conn
	fd   int
	held bool
}

func (in *inhibitor) take(ctx context.Context) {
	if in.held || in.opts.NoInhibit {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, inhibitTimeout)
	defer cancel()
	var fd dbus.UnixFD
	err := in.conn.Object(login1Name, login1Path).CallWithContext(ctx, login1Iface+".Inhibit", 0,
		"sleep", "traycheck", "noting the suspend to re-check VPN ports after the wake", "delay").Store(&fd)
	if err != nil {
		in.opts.Log.Debug("power: no logind delay lock", "err", err)
		return
	}
	in.fd, in.held = int(fd), true
}

func (in *inhibitor) release() {
	if !in.held {
		return
	}
	if err := unix.Close(in.fd); err != nil {
		in.opts.Log.Debug("power: closing the logind delay lock", "err", err)
	}
	in.held = false
}

// logindState tracks who owns logind's name and when the last suspend
// started.
type logindState struct {
	opts         Options
	owner        string
	suspendSleep time.Duration // time asleep before the suspend
	suspended    bool
}

// handle turns a signal into an event. Only the current owner of
// org.freedesktop.login1 is believed: any peer on the bus can emit a signal
// with logind's interface and path.
func (l *logindState) handle(s *dbus.Signal) (Event, bool) {
	switch s.Name {
	case ownerChanged:
		if s.Sender != busName || len(s.Body) != 3 {
			return Event{}, false
		}
		name, _ := s.Body[0].(string)
		newOwner, _ := s.Body[2].(string)
		if name == login1Name {
			l.opts.Log.Debug("power: logind owner changed", "from", l.owner, "to", newOwner)
			l.owner = newOwner
		}
	case prepareSleep:
		if l.owner == "" || s.Sender != l.owner || s.Path != login1Path {
			l.opts.Log.Warn("power: ignored PrepareForSleep not sent by logind", "sender", s.Sender, "owner", l.owner)
			return Event{}, false
		}
		if len(s.Body) != 1 {
			return Event{}, false
		}
		start, ok := s.Body[0].(bool)
		if !ok {
			return Event{}, false
		}
		e := Event{At: l.opts.Now(), Source: "logind"}
		c := l.opts.Clock
		if c == nil {
			c = osClock()
		}
		asleep, cerr := c.Asleep()
		if start {
			e.Kind = Suspend
			l.suspendSleep, l.suspended = asleep, cerr == nil
		} else {
			e.Kind = Resume
			if l.suspended && cerr == nil && asleep > l.suspendSleep {
				e.Slept = asleep - l.suspendSleep
			}
			l.suspended = false
		}
		return e, true
	}
	return Event{}, false
}
