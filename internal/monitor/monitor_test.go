package monitor

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/power"
	"github.com/traycheck/traycheck/internal/remedy"
	"github.com/traycheck/traycheck/internal/vpnport"
)

var udp1194 = vpnport.Resource{Kind: vpnport.UDP, Port: 1194}

type harness struct {
	t      testing.TB
	m      *Monitor
	clock  *fakeClock
	prober *fakeProber
	sink   *chanSink
	power  chan power.Event
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

// start runs a Monitor on the fake clock and prober; tweak adjusts the
// options before New.
func start(t testing.TB, tweak func(*harness, *Options)) *harness {
	t.Helper()
	h := &harness{t: t, clock: newFakeClock(), prober: &fakeProber{}, sink: newChanSink(),
		power: make(chan power.Event), done: make(chan error, 1)}
	h.clock.armed = make(chan time.Duration, 1<<16)
	opts := Options{
		Config:  &config.Config{Ports: []vpnport.Resource{udp1194}, Clients: []string{"openvpn"}, Interval: time.Hour, Adapter: "wlan0"},
		Prober:  h.prober,
		Power:   h.power,
		Sinks:   []Sink{h.sink},
		Clock:   h.clock,
		Settle:  time.Second,
		Backoff: []time.Duration{2 * time.Second, 4 * time.Second},
	}
	if tweak != nil {
		tweak(h, &opts)
	}
	m, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h.m = m
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- m.Run(ctx) }()
	t.Cleanup(h.stop)
	return h
}

func (h *harness) stop() { h.once.Do(h.stopOnce) }

func (h *harness) stopOnce() {
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("Run returned %v", err)
		}
	case <-time.After(10 * time.Second):
		h.t.Error("Run did not return after cancel")
	}
}

// waitArm waits until the loop arms a timer of exactly d. The loop arms a
// timer only when it has nothing left to do, so this is how a test knows an
// event was handled (a resume's settle timer) before it moves the clock.
func (h *harness) waitArm(d time.Duration) {
	h.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case got := <-h.clock.armed:
			if got == d {
				return
			}
		case <-deadline:
			h.t.Fatalf("the loop never armed a %v timer within 10s", d)
		}
	}
}

// quiet asserts no report is waiting.
func (h *harness) quiet() {
	h.t.Helper()
	select {
	case r := <-h.sink.reports:
		h.t.Fatalf("unexpected report: trigger %+v", r.Trigger)
	default:
	}
}

func causes(fs []diagnose.Finding) []diagnose.Cause {
	var out []diagnose.Cause
	for _, f := range fs {
		out = append(out, f.Cause)
	}
	return out
}

func TestFirstCheckReportsEverythingAsTransition(t *testing.T) {
	h := start(t, nil)
	r := h.sink.next(t)
	if !r.First || r.Trigger.Kind != Interval || r.Err != nil {
		t.Fatalf("first report = %+v", r)
	}
	if got := causes(r.Transitions); !slices.Equal(got, []diagnose.Cause{diagnose.Free}) {
		t.Fatalf("transitions = %v, want [free]", got)
	}
	h.waitArm(time.Hour)
}

func TestTransitionsOnlyOnChangedCauseOrHolder(t *testing.T) {
	h := start(t, nil)
	h.sink.next(t)

	step := func(f func(vpnport.Resource) vpnport.Observation) Report {
		h.prober.set(f, nil)
		h.clock.Advance(time.Hour)
		r := h.sink.next(t)
		if r.Trigger.Kind != Interval {
			t.Fatalf("trigger = %v, want interval", r.Trigger.Kind)
		}
		h.waitArm(time.Hour)
		return r
	}
	if r := step(heldBy("nc", 42)); !slices.Equal(causes(r.Transitions), []diagnose.Cause{diagnose.OtherApp}) {
		t.Fatalf("held: transitions %v", causes(r.Transitions))
	}
	if r := step(heldBy("nc", 42)); len(r.Transitions) != 0 || r.Findings[0].Cause != diagnose.OtherApp {
		t.Fatalf("the same holder again must not be a transition: %v / %v", causes(r.Transitions), causes(r.Findings))
	}
	// Another process took the port, same cause: the old note names the
	// wrong process, so this is news.
	if r := step(heldBy("socat", 43)); !slices.Equal(causes(r.Transitions), []diagnose.Cause{diagnose.OtherApp}) ||
		r.Transitions[0].Holders[0].PID != 43 {
		t.Fatalf("a new holder must be a transition: %+v", r.Transitions)
	}
	if r := step(nil); !slices.Equal(causes(r.Transitions), []diagnose.Cause{diagnose.Free}) {
		t.Fatalf("freed: transitions %v", causes(r.Transitions))
	}
}

func TestCheckNowAlwaysReports(t *testing.T) {
	h := start(t, nil)
	h.sink.next(t)
	h.m.CheckNow(OriginMenu)
	r := h.sink.next(t)
	if r.Trigger.Kind != Manual || r.Trigger.Origin != OriginMenu || len(r.Transitions) != 0 || len(r.Findings) != 1 {
		t.Fatalf("manual report = %+v", r)
	}
}

// Only checks a person asked for may open a device: interval, wake and
// delayed re-checks must never raise and drop DTR on a modem.
func TestOnlyRequestedChecksMayOpenDevices(t *testing.T) {
	h := start(t, nil)
	h.sink.next(t) // the first check comes from the interval schedule
	h.m.CheckNow(OriginMenu)
	h.sink.next(t)
	h.prober.mu.Lock()
	got := slices.Clone(h.prober.opened)
	h.prober.mu.Unlock()
	if !slices.Equal(got, []bool{false, true}) {
		t.Fatalf("device open allowed per probe = %v, want [false true] (interval, manual)", got)
	}
	for _, tc := range []struct {
		t    Trigger
		want bool
	}{
		{Trigger{Kind: Interval}, false},
		{Trigger{Kind: Resume, Origin: OriginResume}, false},
		{Trigger{Kind: Action, Origin: OriginRecheck}, false},
		{Trigger{Kind: Action, Origin: OriginMenu}, true},
		{Trigger{Kind: Manual, Origin: OriginIPC}, true},
	} {
		if got := personAsked(tc.t); got != tc.want {
			t.Errorf("personAsked(%+v) = %v, want %v", tc.t, got, tc.want)
		}
	}
}

func TestTriggersDuringACheckAreCoalesced(t *testing.T) {
	h := start(t, nil)
	h.sink.next(t)

	gate, in := make(chan struct{}), make(chan struct{}, 1)
	h.prober.mu.Lock()
	h.prober.gate, h.prober.in = gate, in
	h.prober.mu.Unlock()
	h.m.CheckNow(OriginIPC)
	<-in // the check is running and held
	for range 5 {
		h.m.CheckNow(OriginMenu)
	}
	h.clock.Advance(time.Hour) // the interval falls due meanwhile too
	h.prober.mu.Lock()
	h.prober.gate, h.prober.in = nil, nil
	h.prober.mu.Unlock()
	close(gate)

	if r := h.sink.next(t); r.Trigger.Origin != OriginIPC {
		t.Fatalf("first report from %q", r.Trigger.Origin)
	}
	r := h.sink.next(t)
	if r.Trigger.Kind != Manual || r.Trigger.Origin != OriginMenu {
		t.Fatalf("coalesced report = %+v, want one manual check", r.Trigger)
	}
	h.waitArm(time.Hour)
	h.quiet()
	if n := h.prober.count(); n != 3 {
		t.Fatalf("probes = %d, want 3 (start, first, one coalesced)", n)
	}
}

func TestResumeSettleThenBackoffThenInterval(t *testing.T) {
	h := start(t, nil)
	h.sink.next(t)
	h.prober.set(heldByKernel, nil)
	resumed := h.clock.Now()
	h.power <- power.Event{Kind: power.Resume, At: resumed, Source: "logind"}
	// Settle 1s, then 2s and 4s apart; then back to the hourly interval.
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		h.waitArm(want)
		h.quiet()
		h.clock.Advance(want)
		r := h.sink.next(t)
		if r.Trigger.Kind != Resume || !r.LastResume.Equal(resumed) {
			t.Fatalf("step %d: trigger %v, last resume %v", i, r.Trigger.Kind, r.LastResume)
		}
		if r.Findings[0].Cause != diagnose.StaleAfterWake {
			t.Fatalf("step %d: cause %v, want stale-after-wake right after the resume", i, r.Findings[0].Cause)
		}
	}
	h.waitArm(time.Hour) // the schedule is over
}

func TestResumeRestartsTheSchedule(t *testing.T) {
	h := start(t, nil)
	h.sink.next(t)
	h.power <- power.Event{Kind: power.Resume, Source: "clock"}
	h.waitArm(time.Second)
	h.clock.Advance(time.Second)
	h.sink.next(t)
	h.waitArm(2 * time.Second) // first backoff step
	h.power <- power.Event{Kind: power.Suspend, Source: "logind"}
	h.power <- power.Event{Kind: power.Resume, Source: "logind"}
	h.waitArm(time.Second) // the settle delay again
}

func TestResetTriedReachesDiagnosis(t *testing.T) {
	h := start(t, func(h *harness, o *Options) {
		h.prober.set(heldByKernel, nil) // before the first check
		o.Remedy = remedyFunc(func(context.Context, remedy.Request) (remedy.Result, error) {
			return remedy.Result{Message: "reset"}, nil
		})
	})
	if f := h.sink.next(t).Findings[0]; f.Cause != diagnose.KernelOwned || f.Has(diagnose.RebootSuggested) {
		t.Fatalf("before a reset: %+v", f)
	}
	h.act(diagnose.ResetAdapter, 0, true, OriginMenu)
	if f := h.sink.next(t).Findings[0]; !f.Has(diagnose.RebootSuggested) {
		t.Fatalf("still held after a reset: a reboot must be suggested, got %v", f.Actions)
	}
	h.prober.set(nil, nil)
	h.m.CheckNow(OriginMenu)
	h.sink.next(t)
	h.prober.set(heldByKernel, nil)
	h.m.CheckNow(OriginMenu)
	if f := h.sink.next(t).Findings[0]; f.Has(diagnose.RebootSuggested) {
		t.Fatalf("a new problem after the port was free starts afresh: %v", f.Actions)
	}
}

func TestWaitRechecksWhenTimerExpires(t *testing.T) {
	h := start(t, func(_ *harness, o *Options) {
		o.Remedy = remedyFunc(func(context.Context, remedy.Request) (remedy.Result, error) {
			return remedy.Result{Message: "waiting", RecheckAfter: 40 * time.Second}, nil
		})
	})
	h.sink.next(t)
	h.act(diagnose.Wait, 0, false, OriginMenu)
	if r := h.sink.next(t); r.Trigger.Kind != Action {
		t.Fatalf("trigger %v", r.Trigger.Kind)
	}
	h.waitArm(40 * time.Second)
	h.clock.Advance(40 * time.Second)
	if r := h.sink.next(t); r.Trigger.Kind != Action || r.Trigger.Origin != OriginRecheck || r.Action != nil {
		t.Fatalf("delayed re-check = %+v", r.Trigger)
	}
}

func TestProbeErrorKeepsLastKnownCauses(t *testing.T) {
	h := start(t, nil)
	h.sink.next(t)
	h.prober.set(nil, errors.New("netlink refused"))
	h.m.CheckNow(OriginMenu)
	r := h.sink.next(t)
	if r.Err == nil || len(r.Findings) != 0 || len(r.Transitions) != 0 {
		t.Fatalf("failed probe report = %+v", r)
	}
	h.prober.set(nil, nil)
	h.m.CheckNow(OriginMenu)
	if r := h.sink.next(t); r.Err != nil || len(r.Transitions) != 0 {
		t.Fatalf("recovery to the same cause is no transition: %+v", r)
	}
}

func TestSinkMayCallBackIntoTheLoop(t *testing.T) {
	calls := 0
	h := start(t, func(h *harness, _ *Options) {
		h.sink.onResult = func(r Report) {
			calls++ // loop goroutine only
			if calls == 1 {
				h.m.CheckNow(OriginMenu)
				h.m.CheckNow(OriginNotification)
			}
		}
	})
	if r := h.sink.next(t); !r.First {
		t.Fatalf("first report %+v", r.Trigger)
	}
	// Both requests are one check, reported under the first.
	if r := h.sink.next(t); r.Trigger.Kind != Manual || r.Trigger.Origin != OriginMenu {
		t.Fatalf("second report %+v", r.Trigger)
	}
	h.waitArm(time.Hour)
	h.quiet()
	if n := h.prober.count(); n != 2 {
		t.Fatalf("probes = %d, want 2", n)
	}
}
