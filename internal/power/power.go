// Package power reports when the machine suspends and resumes, so the watch
// loop can re-check right after a wake (the moment a VPN's reconnect most
// often finds its port or device still marked as held).
//
// Watch merges several sources per OS into one channel: an OS notification
// (logind's PrepareForSleep on Linux, PowerRegisterSuspendResumeNotification
// on Windows, kern.waketime on macOS) and a clock fallback that always runs,
// because notifications can be missing (no logind, elogind, a restarted bus)
// while the clock cannot lie about time spent asleep. When two sources report
// the same wake, the merge drops the repeat.
//
// On Linux the logind source also holds a "delay" sleep inhibitor, so logind
// waits until traycheck has read PrepareForSleep(true); the lock is released
// the moment the Suspend event is queued and taken again after the wake.
//
// The exported API lives in this file; each OS adds its sources in its own
// file, and the shared, OS-independent parts (merge, clock poller) live in
// files without an OS suffix so their tests run everywhere.
package power

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// ErrNotImplemented is returned by Watch on an OS with no power source.
var ErrNotImplemented = errors.New("power: suspend/resume events are not implemented on this OS")

// Kind says whether an Event is a suspend or a resume.
type Kind int

// The event kinds.
const (
	Suspend Kind = iota + 1
	Resume
)

// String returns "suspend" or "resume", the names used in `watch --json`.
func (k Kind) String() string {
	switch k {
	case Suspend:
		return "suspend"
	case Resume:
		return "resume"
	}
	return "unknown"
}

// Event is one suspend or resume.
type Event struct {
	Kind Kind
	// At is when it happened, as well as the source knows (for a resume
	// found by polling, when the poll noticed it).
	At time.Time
	// Slept is how long the machine was asleep, for a resume; 0 when the
	// source cannot tell (logind says only "woke up").
	Slept time.Duration
	// Source names what reported it: "logind", "clock", "powrprof",
	// "waketime".
	Source string
}

// SleepClock reads how long the machine has spent asleep since boot. On
// Linux it is CLOCK_BOOTTIME - CLOCK_MONOTONIC; on Windows interrupt time
// minus unbiased interrupt time. Tests inject a fake one.
type SleepClock interface {
	Asleep() (time.Duration, error)
}

// Options tune Watch. The zero value is ready to use.
type Options struct {
	// PollInterval is how often the clock fallback looks at its clock;
	// default DefaultPollInterval. A resume is noticed at most this late
	// when no OS notification arrives.
	PollInterval time.Duration
	// MinSleep is the smallest growth of asleep-time the clock fallback
	// reports as a sleep; default DefaultMinSleep (ignores clock jitter).
	MinSleep time.Duration
	// DedupWindow is how close two events of the same kind must be for the
	// second to be dropped as a repeat; default DefaultDedupWindow.
	DedupWindow time.Duration
	// Clock replaces the OS sleep clock (tests).
	Clock SleepClock
	// Now replaces time.Now (tests).
	Now func() time.Time
	// NoOSSource disables the OS notification source, leaving only the
	// clock fallback (tests, and systems where the bus misbehaves).
	NoOSSource bool
	// NoClock disables the clock fallback (tests of the OS source alone).
	NoClock bool
	// NoInhibit skips logind's "delay" sleep inhibitor (Linux). With it,
	// logind waits for the suspend to be noted before the machine sleeps;
	// it is released as soon as the Suspend event is out.
	NoInhibit bool
	// Log receives diagnostics; default slog.Default().
	Log *slog.Logger

	// ready, when set, is called with the source's unique bus name each
	// time the logind source has subscribed (tests wait for it).
	ready func(unique string)
}

// Defaults for Options.
const (
	DefaultPollInterval = 5 * time.Second
	DefaultMinSleep     = 2 * time.Second
	DefaultDedupWindow  = 30 * time.Second
)

func (o *Options) fill() {
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.MinSleep <= 0 {
		o.MinSleep = DefaultMinSleep
	}
	if o.DedupWindow <= 0 {
		o.DedupWindow = DefaultDedupWindow
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
}

// Watch starts the sources for this OS and returns one channel of their
// merged events. The channel is closed after ctx is done and every source
// has stopped. Watch fails only when no source at all can run; a source
// that dies later (bus restarted) reconnects by itself with backoff.
//
// The channel is buffered; a reader that falls far behind loses the oldest
// events rather than stalling a source (a source must never block the OS).
func Watch(ctx context.Context, opts Options) (<-chan Event, error) {
	opts.fill()
	var srcs []source
	if !opts.NoOSSource {
		srcs = append(srcs, osSources(opts)...)
	}
	if !opts.NoClock {
		c := opts.Clock
		if c == nil {
			c = osClock()
		}
		if c != nil {
			srcs = append(srcs, clockSource(c, opts))
		}
	}
	if len(srcs) == 0 {
		return nil, ErrNotImplemented
	}
	return merge(ctx, srcs, opts), nil
}

// source runs until ctx is done, sending events with emit (which never
// blocks).
type source func(ctx context.Context, emit func(Event))
