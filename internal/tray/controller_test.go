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

	"github.com/traycheck/traycheck/internal/testenv"
)

type fakeLoop struct {
	checks chan string
	acts   chan monitor.Request
}

func newFakeLoop() *fakeLoop {
	return &fakeLoop{checks: make(chan string, 8), acts: make(chan monitor.Request, 8)}
}

func (f *fakeLoop) CheckNow(src string) { f.checks <- src }
func (f *fakeLoop) Act(r monitor.Request) error {
	f.acts <- r
	return nil
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
	if req.Action != diagnose.EndProcess || req.PID != 4242 || req.Confirmed || req.Resource != udp1194 || req.Source != "notification" {
		t.Fatalf("first click asked %+v; want end-process of 4242, unconfirmed", req)
	}
	// The remedy asks for confirmation; the tray shows it in a second note
	// and in the menu.
	req.Finding = held
	c.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Action}, Findings: []diagnose.Finding{held},
		Action: &monitor.ActionOutcome{Request: req, Prompt: "End python3 (PID 4242, /usr/bin/python3)?"}})
	waitFor(t, "the confirmation note", func() bool {
		return strings.Contains(out.String(), "End python3 (PID 4242, /usr/bin/python3)?\n")
	})
	if p := c.View().Prompts[udp1194]; p.PID != 4242 || p.Action != diagnose.EndProcess {
		t.Errorf("menu prompt = %+v", p)
	}
	if con.Deliver("udp/1194", "end-process") {
		t.Error("the confirmation note accepted the unconfirmed key")
	}
	if !con.Deliver("udp/1194", "confirm-end-process") {
		t.Fatal("console refused the confirmation")
	}
	req = nextAct(t, loop)
	if req.Action != diagnose.EndProcess || req.PID != 4242 || !req.Confirmed {
		t.Fatalf("confirmation asked %+v; want confirmed end-process of 4242", req)
	}

	free1194 := free(udp1194)
	c.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Action}, Findings: []diagnose.Finding{free1194},
		Transitions: []diagnose.Finding{free1194}, Action: &monitor.ActionOutcome{Request: req, Message: "ended"}})
	waitFor(t, "the all-clear note", func() bool { return strings.Contains(out.String(), "udp/1194 is free again") })
	v := c.View()
	if Icon(v) != icons.OK || len(v.Prompts) != 0 {
		t.Errorf("after the holder ended: icon %v, prompts %v", Icon(v), v.Prompts)
	}
	if n := strings.Count(out.String(), "udp/1194 is held by python3 (PID 4242)\n"); n != 1 {
		t.Errorf("conflict note shown %d times, want once (transitions only)", n)
	}
	select {
	case r := <-loop.acts:
		t.Errorf("unexpected request %+v", r)
	default:
	}
}

func TestForgedResponsesDoNothing(t *testing.T) {
	c := NewController(Options{})
	loop := newFakeLoop()
	c.Attach(loop)
	c.notes["udp/1194"] = issued{token: "right", resource: udp1194, finding: held}
	for _, r := range []notify.Response{
		{Tag: "udp/1194", Action: "end-process", Token: "wrong"},
		{Tag: "udp/1194", Action: "end-process"},
		{Tag: "tcp/22", Action: "retry", Token: "right"},
		{Tag: "udp/1194", Action: "confirm-end-process", Token: "right"}, // not a confirmation note
	} {
		c.respond(r)
	}
	c.notes["udp/1194"] = issued{token: "right", resource: udp1194, finding: held}
	c.respond(notify.Response{Tag: "udp/1194", Action: "reboot-suggested", Token: "right"}) // not offered
	select {
	case r := <-loop.acts:
		t.Fatalf("a forged response became %+v", r)
	default:
	}
}

func TestMenuCommands(t *testing.T) {
	quit := make(chan struct{}, 1)
	c := NewController(Options{Quit: func() { quit <- struct{}{} }})
	loop := newFakeLoop()
	c.Attach(loop)
	ctx := context.Background()
	c.Do(ctx, Command{Kind: CheckNow})
	if src := <-loop.checks; src != "tray" {
		t.Errorf("check source = %q", src)
	}
	c.Checking(monitor.Trigger{Kind: monitor.Manual})
	if !c.View().Checking {
		t.Error("a manual check does not show as checking")
	}
	c.Do(ctx, Command{Kind: Act, Action: diagnose.Retry, Resource: udp1194})
	if r := nextAct(t, loop); r.Action != diagnose.Retry || r.Source != "tray" {
		t.Errorf("retry = %+v", r)
	}
	c.Do(ctx, Command{Kind: Quit})
	<-quit
}

func TestRedeemAndAnswer(t *testing.T) {
	c := NewController(Options{})
	loop := newFakeLoop()
	c.Attach(loop)
	c.notes["udp/1194"] = issued{token: "0123456789abcdef0123456789abcdef", resource: udp1194, finding: held}
	if err := c.Redeem("0123456789abcdef0123456789abcdef", "tcp/22"); err == nil {
		t.Error("redeemed a token for another resource")
	}
	if err := c.Redeem("ffffffffffffffffffffffffffffffff", "udp/1194"); err == nil {
		t.Error("redeemed a wrong token")
	}
	if err := c.Redeem("0123456789abcdef0123456789abcdef", "udp/1194"); err != nil {
		t.Fatalf("the note's own token: %v", err)
	}
	// Redeem leaves the token for the answer itself.
	if err := c.Answer(notify.Response{Tag: "udp/1194", Action: "retry", Token: "0123456789abcdef0123456789abcdef"}); err != nil {
		t.Fatal(err)
	}
	if r := nextAct(t, loop); r.Action != diagnose.Retry || r.Resource != udp1194 {
		t.Errorf("request = %+v", r)
	}
	if err := c.Answer(notify.Response{Tag: "udp/1194", Action: "retry", Token: "0123456789abcdef0123456789abcdef"}); err == nil {
		t.Error("a replayed answer was accepted")
	}
}
