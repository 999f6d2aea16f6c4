package tray

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/icons"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/offer"
	"github.com/traycheck/traycheck/internal/remedy"

	"github.com/traycheck/traycheck/internal/testenv"
)

// fakeLoop records requests and answers them with answer (nil: a report
// whose outcome carries the request alone).
type fakeLoop struct {
	checks chan monitor.Origin
	acts   chan monitor.Request
	answer func(monitor.Request) monitor.Report
}

func newFakeLoop() *fakeLoop {
	return &fakeLoop{checks: make(chan monitor.Origin, 8), acts: make(chan monitor.Request, 8)}
}

func (f *fakeLoop) CheckNow(o monitor.Origin) { f.checks <- o }

func (f *fakeLoop) Do(_ context.Context, r monitor.Request) (monitor.Report, error) {
	f.acts <- r
	if f.answer != nil {
		return f.answer(r), nil
	}
	return monitor.Report{Action: &monitor.ActionOutcome{Request: r}}, nil
}

// waitFor polls cond until it holds; the deadline only bounds a hung test.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func nextAct(t *testing.T, l *fakeLoop) monitor.Request {
	t.Helper()
	select {
	case r := <-l.acts:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no action request within 10s")
	}
	return monitor.Request{}
}

func TestNotificationToConfirmedEndProcess(t *testing.T) {
	out := &testenv.SyncBuffer{}
	con := notify.NewConsole(out)
	c := NewController(Options{Notifier: con})
	loop := newFakeLoop()
	// The remedy asks before ending anything.
	loop.answer = func(r monitor.Request) monitor.Report {
		r.Finding = held
		o := &monitor.ActionOutcome{Request: r}
		if !r.Confirmed {
			o.Confirm = &remedy.Confirmation{Action: r.Action, Resource: r.Resource, PID: 4242,
				Question: "End python3 (PID 4242, /usr/bin/python3)?", Consequence: "Unsaved work in it will be lost."}
		}
		return monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Action}, Findings: []diagnose.Finding{held}, Action: o}
	}
	c.Attach(loop)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.Run(ctx)

	c.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Interval}, First: true,
		Findings: []diagnose.Finding{held}, Transitions: []diagnose.Finding{held}})
	waitFor(t, "the conflict note", func() bool { return strings.Contains(out.String(), "udp/1194 is held by python3 (PID 4242)") })
	if Icon(c.View()) != icons.Conflict {
		t.Errorf("icon = %v, want conflict", Icon(c.View()))
	}
	// A repeat of the same state is no transition: no second note.
	c.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Interval}, Findings: []diagnose.Finding{held}})

	if !con.Deliver("udp/1194", "end-process") {
		t.Fatal("console refused the click")
	}
	req := nextAct(t, loop)
	if req.Action != diagnose.EndProcess || req.PID != 4242 || req.Confirmed || req.Resource != udp1194 || req.Origin != monitor.OriginNotification {
		t.Fatalf("first click asked %+v; want end-process of 4242, unconfirmed", req)
	}
	// The tray shows the remedy's question in a second note and in the menu.
	waitFor(t, "the confirmation note", func() bool {
		return strings.Contains(out.String(), "End python3 (PID 4242, /usr/bin/python3)?\n")
	})
	waitFor(t, "the menu prompt", func() bool { return c.View().Prompts[udp1194].PID == 4242 })
	if con.Deliver("udp/1194", "end-process") {
		t.Error("the confirmation note took the unconfirmed key")
	}
	if !con.Deliver("udp/1194", diagnose.EndProcess.ConfirmKey()) {
		t.Fatal("console refused the confirmation")
	}
	req = nextAct(t, loop)
	if req.Action != diagnose.EndProcess || req.PID != 4242 || !req.Confirmed {
		t.Fatalf("confirmation asked %+v; want confirmed end-process of 4242", req)
	}

	free1194 := free(udp1194)
	c.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Action}, Findings: []diagnose.Finding{free1194},
		Transitions: []diagnose.Finding{free1194}})
	waitFor(t, "the all-clear note", func() bool { return strings.Contains(out.String(), "udp/1194 is free again") })
	v := c.View()
	if Icon(v) != icons.OK || len(v.Prompts) != 0 {
		t.Errorf("after the holder ended: icon %v, prompts %v", Icon(v), v.Prompts)
	}
	if n := strings.Count(out.String(), "udp/1194 is held by python3 (PID 4242)\n"); n != 1 {
		t.Errorf("conflict note shown %d times, want once (transitions only)", n)
	}
}

// forge returns tok with its last character changed to another base64url
// character: a fixed replacement would be the real one 1 time in 64.
func forge(tok string) string {
	last := byte('x')
	if tok[len(tok)-1] == last {
		last = 'y'
	}
	return tok[:len(tok)-1] + string(last)
}

func TestForgedResponsesDoNothing(t *testing.T) {
	offers := offer.New(0)
	c := NewController(Options{Offers: offers})
	loop := newFakeLoop()
	c.Attach(loop)
	right := offers.Issue(offer.Offer{Resource: udp1194, Actions: held.Actions, PID: 4242})
	for _, r := range []notify.Response{
		{Tag: "udp/1194", Action: "end-process", Token: forge(right)},
		{Tag: "udp/1194", Action: "end-process"},
		{Tag: "tcp/22", Action: "retry", Token: right},
		{Tag: "udp/1194", Action: diagnose.EndProcess.ConfirmKey(), Token: right}, // not a confirmation note
		{Tag: "udp/1194", Action: "reboot-suggested", Token: right},               // not offered
		{Tag: "not a tag", Action: "retry", Token: right},
	} {
		if err := c.Answer(r); err == nil {
			t.Errorf("%+v was accepted", r)
		}
	}
	select {
	case r := <-loop.acts:
		t.Fatalf("a forged response became %+v", r)
	case <-time.After(20 * time.Millisecond):
	}
	// The note's own answer still works, once.
	if err := c.Answer(notify.Response{Tag: "udp/1194", Action: "retry", Token: right}); err != nil {
		t.Fatal(err)
	}
	if r := nextAct(t, loop); r.Action != diagnose.Retry || r.Resource != udp1194 {
		t.Errorf("request = %+v", r)
	}
	if err := c.Answer(notify.Response{Tag: "udp/1194", Action: "retry", Token: right}); err == nil {
		t.Error("a replayed answer was accepted")
	}
}

func TestMenuCommands(t *testing.T) {
	quit := make(chan struct{}, 1)
	c := NewController(Options{Quit: func() { quit <- struct{}{} }})
	loop := newFakeLoop()
	c.Attach(loop)
	ctx := context.Background()
	c.Do(ctx, Command{Kind: CheckNow})
	if o := <-loop.checks; o != monitor.OriginMenu {
		t.Errorf("check origin = %q", o)
	}
	c.Checking(monitor.Trigger{Kind: monitor.Manual})
	if !c.View().Checking {
		t.Error("a manual check does not show as checking")
	}
	c.Do(ctx, Command{Kind: Act, Action: diagnose.Retry, Resource: udp1194})
	if r := nextAct(t, loop); r.Action != diagnose.Retry || r.Origin != monitor.OriginMenu {
		t.Errorf("retry = %+v", r)
	}
	// A yes without the prompt's token does nothing.
	c.Do(ctx, Command{Kind: Act, Action: diagnose.EndProcess, Resource: udp1194, PID: 4242, Confirmed: true, Token: "forged-token-forged"})
	select {
	case r := <-loop.acts:
		t.Fatalf("a confirmation without its token became %+v", r)
	case <-time.After(20 * time.Millisecond):
	}
	c.Do(ctx, Command{Kind: Quit})
	<-quit
}
