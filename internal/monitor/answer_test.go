package monitor

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/remedy"
)

// act asks the loop for an action without waiting for its answer, as a
// sink or a click handler does.
func (h *harness) act(a diagnose.Action, pid int, confirmed bool, origin Origin) {
	go h.m.Do(context.Background(), req(a, pid, confirmed, origin))
}

func req(a diagnose.Action, pid int, confirmed bool, origin Origin) Request {
	return Request{Request: remedy.Request{Action: a, PID: pid, Confirmed: confirmed}, Resource: udp1194, Origin: origin}
}

// remedyFunc adapts a function to Remedy.
type remedyFunc func(context.Context, remedy.Request) (remedy.Result, error)

func (f remedyFunc) Do(ctx context.Context, r remedy.Request) (remedy.Result, error) {
	return f(ctx, r)
}

func TestActRetryWithoutRemedyRechecks(t *testing.T) {
	h := start(t, nil)
	h.sink.next(t)
	r, err := h.m.Do(context.Background(), req(diagnose.Retry, 0, false, OriginNotification))
	if err != nil || r.Trigger.Kind != Action || r.Action == nil || r.Action.Err != nil || r.Action.Request.Origin != OriginNotification {
		t.Fatalf("retry answered %+v, action %+v, %v", r.Trigger, r.Action, err)
	}
	h.sink.next(t)
	r, err = h.m.Do(context.Background(), req(diagnose.EndProcess, 42, false, OriginMenu))
	if err != nil || r.Action == nil || !errors.Is(r.Action.Err, ErrNoRemedy) {
		t.Fatalf("end-process without a remedy: %+v, %v", r.Action, err)
	}
}

func TestActConfirmationRoundTrip(t *testing.T) {
	var got []remedy.Request
	h := start(t, func(h *harness, o *Options) {
		h.prober.set(heldBy("nc", 42), nil) // before the first check
		o.Remedy = remedyFunc(func(_ context.Context, req remedy.Request) (remedy.Result, error) {
			got = append(got, req) // the loop runs one remedy at a time
			if !req.Confirmed {
				return remedy.Result{}, &remedy.ConfirmationError{Confirmation: remedy.Confirmation{
					Action: req.Action, PID: 42, Question: "End nc (PID 42, /usr/bin/nc)?"}}
			}
			return remedy.Result{Message: "ended nc"}, nil
		})
	})
	h.sink.next(t)
	ctx := context.Background()
	r, err := h.m.Do(ctx, req(diagnose.EndProcess, 42, false, OriginMenu))
	if err != nil || r.Action == nil || r.Action.Confirm == nil || r.Action.Confirm.PID != 42 || r.Action.Err != nil {
		t.Fatalf("unconfirmed end-process: %+v, %v", r.Action, err)
	}
	h.sink.next(t)
	h.prober.set(nil, nil)
	r, err = h.m.Do(ctx, req(diagnose.EndProcess, 42, true, OriginMenu))
	if err != nil || r.Action == nil || r.Action.Result.Message != "ended nc" || r.Action.Confirm != nil {
		t.Fatalf("confirmed end-process: %+v, %v", r.Action, err)
	}
	if !slices.Equal(causes(r.Transitions), []diagnose.Cause{diagnose.Free}) {
		t.Fatalf("the re-check after the action must see the port free: %v", causes(r.Transitions))
	}
	if len(got) != 2 || got[0].Finding.Cause != diagnose.OtherApp || got[0].Finding.Resource != udp1194 {
		t.Fatalf("the remedy must get the latest finding: %+v", got)
	}
}

// Check answers with a check that started after the call, never one that
// was already running.
func TestCheckWaitsForALaterCheck(t *testing.T) {
	h := start(t, nil)
	h.sink.next(t)
	gate, in := make(chan struct{}), make(chan struct{}, 1)
	h.prober.mu.Lock()
	h.prober.gate, h.prober.in = gate, in
	h.prober.mu.Unlock()
	h.clock.Advance(time.Hour) // an interval check starts and is held
	<-in
	h.prober.set(heldBy("nc", 42), nil) // the state changes meanwhile
	answer := make(chan Report, 1)
	go func() {
		r, err := h.m.Check(context.Background(), OriginIPC)
		if err != nil {
			t.Error(err)
		}
		answer <- r
	}()
	waitFor(t, "Check to register", func() bool {
		h.m.mu.Lock()
		defer h.m.mu.Unlock()
		return len(h.m.waiters) == 1
	})
	h.prober.mu.Lock()
	h.prober.gate, h.prober.in = nil, nil
	h.prober.mu.Unlock()
	close(gate)
	r := <-answer
	if r.Trigger.Kind != Manual || r.Trigger.Origin != OriginIPC || r.Findings[0].Cause != diagnose.OtherApp {
		t.Fatalf("Check answered with %+v %v; want its own manual check seeing nc", r.Trigger, causes(r.Findings))
	}
}

func TestCheckAndDoAnswerWhenTheLoopStops(t *testing.T) {
	h := start(t, nil)
	h.sink.next(t)
	h.stop()
	if _, err := h.m.Check(context.Background(), OriginIPC); !errors.Is(err, ErrStopped) {
		t.Fatalf("Check after stop = %v", err)
	}
	if _, err := h.m.Do(context.Background(), req(diagnose.Retry, 0, false, OriginIPC)); !errors.Is(err, ErrStopped) {
		t.Fatalf("Do after stop = %v", err)
	}
}

func TestActQueueIsBounded(t *testing.T) {
	started, release := make(chan struct{}, 1), make(chan struct{})
	h := start(t, func(_ *harness, o *Options) {
		o.Remedy = remedyFunc(func(ctx context.Context, _ remedy.Request) (remedy.Result, error) {
			select {
			case started <- struct{}{}:
			default:
			}
			select {
			case <-release:
			case <-ctx.Done():
			}
			return remedy.Result{}, nil
		})
	})
	defer close(release)
	h.sink.next(t)
	h.act(diagnose.Wait, 0, false, OriginMenu)
	<-started // that one left the queue and runs
	for range maxQueued {
		h.act(diagnose.Wait, 0, false, OriginMenu)
	}
	waitFor(t, "the queue to fill", func() bool {
		h.m.mu.Lock()
		defer h.m.mu.Unlock()
		return len(h.m.queued) == maxQueued
	})
	if _, err := h.m.Do(context.Background(), req(diagnose.Wait, 0, false, OriginMenu)); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("one more than the queue holds: %v, want ErrQueueFull", err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
