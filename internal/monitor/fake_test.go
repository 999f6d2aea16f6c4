package monitor

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// fakeClock is a manual clock. Timers fire only when Advance passes their
// deadline (or at once for a deadline not after now). armed, when set,
// receives how far ahead every timer the loop arms is: the loop arms a timer only when it is idle, so
// a receive there means "the loop has nothing left to do right now".
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
	armed  chan time.Duration
}

type fakeTimer struct {
	c  chan time.Time
	at time.Time
	cl *fakeClock
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) TimerAt(at time.Time) Timer {
	c.mu.Lock()
	t := &fakeTimer{c: make(chan time.Time, 1), at: at, cl: c}
	d := at.Sub(c.now)
	if d <= 0 {
		t.c <- c.now
	} else {
		c.timers = append(c.timers, t)
	}
	armed := c.armed
	c.mu.Unlock()
	if armed != nil {
		armed <- d
	}
	return t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		if !t.at.After(c.now) {
			t.c <- c.now
		} else {
			kept = append(kept, t)
		}
	}
	c.timers = kept
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Stop() bool {
	c := t.cl
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, x := range c.timers {
		if x == t {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			return true
		}
	}
	return false
}

// fakeProber is the OS edge: it returns whatever the test set, and can hold
// a probe until the test releases it.
type fakeProber struct {
	mu    sync.Mutex
	obs   func(r vpnport.Resource) vpnport.Observation
	err   error
	calls int
	// opened records, per probe, whether it was allowed to open devices.
	opened []bool
	gate   chan struct{} // when set, Probe waits for a receive
	in     chan struct{} // when set, Probe announces it started
}

func (p *fakeProber) Probe(ctx context.Context, rs []vpnport.Resource, opts vpnport.ProbeOptions) ([]vpnport.Observation, error) {
	p.mu.Lock()
	p.calls++
	p.opened = append(p.opened, opts.Person)
	gate, in, f, err := p.gate, p.in, p.obs, p.err
	p.mu.Unlock()
	if in != nil {
		in <- struct{}{}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err != nil {
		return nil, err
	}
	out := make([]vpnport.Observation, len(rs))
	for i, r := range rs {
		if f != nil {
			out[i] = f(r)
		} else {
			out[i] = vpnport.Observation{Resource: r, Exists: true}
		}
		out[i].Resource = r
	}
	return out, nil
}

func (p *fakeProber) set(f func(vpnport.Resource) vpnport.Observation, err error) {
	p.mu.Lock()
	p.obs, p.err = f, err
	p.mu.Unlock()
}

func (p *fakeProber) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

// chanSink forwards every Report; it never blocks the loop for long because
// its channel is large for these tests.
type chanSink struct {
	reports  chan Report
	checking chan Trigger
	onResult func(Report)
}

func newChanSink() *chanSink {
	return &chanSink{reports: make(chan Report, 256), checking: make(chan Trigger, 256)}
}

func (s *chanSink) Checking(t Trigger) {
	select {
	case s.checking <- t:
	default:
	}
}

func (s *chanSink) Result(r Report) {
	if s.onResult != nil {
		s.onResult(r)
	}
	s.reports <- r
}

func (s *chanSink) next(t testing.TB) Report {
	t.Helper()
	select {
	case r := <-s.reports:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no report from the loop within 10s")
	}
	return Report{}
}

// heldBy is an observation of a port listened on by a process.
func heldBy(name string, pid int) func(vpnport.Resource) vpnport.Observation {
	return func(r vpnport.Resource) vpnport.Observation {
		return vpnport.Observation{
			Resource: r, Exists: true,
			Sockets: []vpnport.Socket{{Proto: r.Kind, State: vpnport.StateListen, PIDs: []int{pid}, Inode: 7}},
			Holders: []vpnport.Holder{{PID: pid, Name: name, Exe: "/usr/bin/" + name}},
		}
	}
}

// heldByKernel is a port held by no process (the shape a stale lock has).
func heldByKernel(r vpnport.Resource) vpnport.Observation {
	return vpnport.Observation{Resource: r, Exists: true,
		Sockets: []vpnport.Socket{{Proto: r.Kind, State: vpnport.StateListen}}}
}
