package power

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// stepClock is a SleepClock the test sets.
type stepClock struct {
	mu     sync.Mutex
	asleep time.Duration
	err    error
}

func (c *stepClock) Asleep() (time.Duration, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.asleep, c.err
}

func (c *stepClock) set(d time.Duration, err error) {
	c.mu.Lock()
	c.asleep, c.err = d, err
	c.mu.Unlock()
}

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// runPoll drives pollClock tick by tick: for each reading, set the clock,
// tick, and collect what was emitted.
func TestClockFallbackReportsGrowthAsSleep(t *testing.T) {
	c := &stepClock{asleep: 10 * time.Second}
	tick := make(chan time.Time)
	got := make(chan Event, 16)
	opts := Options{Now: func() time.Time { return t0 }}
	opts.fill()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		pollClock(ctx, c, tick, opts, func(e Event) { got <- e })
		close(done)
	}()
	steps := []struct {
		asleep time.Duration
		err    error
		want   time.Duration // 0: no event
	}{
		{10 * time.Second, nil, 0},                              // awake
		{10*time.Second + time.Millisecond, nil, 0},             // jitter
		{11 * time.Second, nil, 0},                              // below MinSleep
		{100 * time.Second, nil, 90 * time.Second},              // slept, counted from the last report
		{0, errors.New("clock gone"), 0},                        // unreadable: skipped
		{160 * time.Second, nil, 60 * time.Second},              // still counted from 100 s
		{150 * time.Second, nil, 0},                             // backwards: not a sleep
		{150*time.Second + 2*time.Second, nil, 2 * time.Second}, // exactly MinSleep
	}
	for i, s := range steps {
		c.set(s.asleep, s.err)
		tick <- t0
		tick <- t0 // the second send returns only after the first tick was handled
		select {
		case e := <-got:
			if s.want == 0 || e.Slept != s.want || e.Kind != Resume || e.Source != "clock" || !e.At.Equal(t0) {
				t.Fatalf("step %d: got %+v, want slept %v", i, e, s.want)
			}
		default:
			if s.want != 0 {
				t.Fatalf("step %d: no event, want slept %v", i, s.want)
			}
		}
	}
	cancel()
	<-done
}

func TestClockFallbackStartsWithUnreadableClock(t *testing.T) {
	c := &stepClock{err: errors.New("not yet")}
	tick := make(chan time.Time)
	got := make(chan Event, 4)
	opts := Options{}
	opts.fill()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go pollClock(ctx, c, tick, opts, func(e Event) { got <- e })
	c.set(50*time.Second, nil)
	tick <- t0 // first good reading: a baseline, not a sleep
	tick <- t0
	select {
	case e := <-got:
		t.Fatalf("first good reading made %+v", e)
	default:
	}
	c.set(80*time.Second, nil)
	tick <- t0
	tick <- t0
	if e := <-got; e.Slept != 30*time.Second {
		t.Fatalf("got %+v", e)
	}
}

func TestMergeDropsRepeats(t *testing.T) {
	ev := func(k Kind, at time.Duration, src string) Event { return Event{Kind: k, At: t0.Add(at), Source: src} }
	in := []Event{
		ev(Suspend, 0, "logind"),
		ev(Resume, time.Hour, "logind"),
		ev(Resume, time.Hour+4*time.Second, "clock"), // same wake, seen by the clock
		ev(Suspend, 2*time.Hour, "logind"),
		ev(Resume, 2*time.Hour+time.Second, "logind"), // a quick nap: not a repeat
		ev(Resume, 3*time.Hour, "clock"),              // a sleep logind missed
	}
	want := []int{0, 1, 3, 4, 5}
	src := func(ctx context.Context, emit func(Event)) {
		for _, e := range in {
			emit(e)
		}
	}
	opts := Options{}
	opts.fill()
	var got []Event
	for e := range merge(context.Background(), []source{src}, opts) {
		got = append(got, e)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		if got[i] != in[w] {
			t.Errorf("event %d = %+v, want %+v", i, got[i], in[w])
		}
	}
}

func TestMergeNeverBlocksASource(t *testing.T) {
	opts := Options{Log: slog.New(slog.DiscardHandler)}
	opts.fill()
	const n = 1000
	emitted := make(chan struct{})
	src := func(ctx context.Context, emit func(Event)) {
		for i := range n {
			emit(Event{Kind: Kind(1 + i%2), At: t0.Add(time.Duration(i) * time.Hour)})
		}
		close(emitted)
	}
	out := merge(context.Background(), []source{src}, opts)
	<-emitted // with nobody reading, every emit returned
	count := 0
	for range out {
		count++
	}
	if count == 0 || count > inBuffer+outBuffer {
		t.Fatalf("a stalled reader got %d events, want some but at most the buffers' worth", count)
	}
}

func TestWatchClockOnlyClosesOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := Watch(ctx, Options{NoOSSource: true, Clock: &stepClock{}, PollInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	for range ch {
		t.Fatal("no event expected")
	}
}

func TestWatchWithNoSourceFails(t *testing.T) {
	if _, err := Watch(context.Background(), Options{NoOSSource: true, NoClock: true}); !errors.Is(err, ErrNotImplemented) {
		t.Fatalf("err = %v", err)
	}
}

func TestKindString(t *testing.T) {
	if Suspend.String() != "suspend" || Resume.String() != "resume" || Kind(0).String() != "unknown" {
		t.Fatal("kind names are part of the watch --json contract")
	}
}
