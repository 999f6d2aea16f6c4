package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/instance"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/vpnport"
)

func init() {
	register(&command{name: "check-now", summary: "make the running traycheck check now (or check once here)", run: runCheckNow})
}

// runCheckNow is `traycheck check-now [check flags]`: forward "check now" to
// the running instance and print the result it returns, or, with none
// running, say so and run a one-shot `traycheck check` with the same flags.
func runCheckNow(ctx context.Context, e *env, args []string) int {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprintln(e.stderr, "usage: traycheck check-now [--json] [--config FILE]")
		fmt.Fprintln(e.stderr, "Asks the running traycheck to check now and prints its result; with none running, checks once here.")
		return exitOK
	}
	rep, err := instance.Send(ctx, instance.Message{Op: instance.OpCheckNow})
	if errors.Is(err, instance.ErrNotRunning) {
		fmt.Fprintln(e.stderr, "traycheck check-now: no traycheck is running in this session; checking once here")
		return runCheck(ctx, e, args)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "traycheck check-now: %v\n", err)
		return exitProbe
	}
	return printReply(e, "check-now", rep, exitProbe)
}

// printReply prints what the running instance answered; failed is the exit
// code for a refusal or failure.
func printReply(e *env, cmd string, rep instance.Reply, failed int) int {
	if !rep.OK {
		fmt.Fprintf(e.stderr, "traycheck %s: the running traycheck said: %s\n", cmd, rep.Error)
		return failed
	}
	fmt.Fprint(e.stdout, rep.Message)
	if n := len(rep.Message); n > 0 && rep.Message[n-1] != '\n' {
		fmt.Fprintln(e.stdout)
	}
	return exitOK
}

// claimInstance is the first step of the long-running modes (tray, watch).
// When another traycheck runs in this session it asks that one to check now
// and returns ok=false with the exit code: a second launch hands over and
// exits 0. When the lock cannot be had for another reason the mode still
// starts (better a second icon than none) with lock nil.
func claimInstance(ctx context.Context, e *env) (lock *instance.Lock, code int, ok bool) {
	if w := instance.RootWarning(); w != "" {
		fmt.Fprintln(e.stderr, "traycheck: warning: "+w)
		e.log.Warn("running as root on a desktop")
	}
	lock, err := instance.Acquire()
	if err == nil {
		return lock, exitOK, true
	}
	if !errors.Is(err, instance.ErrRunning) {
		e.log.Warn("cannot make sure only one traycheck runs", "err", err)
		return nil, exitOK, true
	}
	rep, err := instance.Send(ctx, instance.Message{Op: instance.OpCheckNow})
	if err != nil {
		fmt.Fprintf(e.stderr, "traycheck: another traycheck is running in this session but did not answer: %v\n", err)
		return nil, exitProbe, false
	}
	fmt.Fprintln(e.stderr, "traycheck: already running in this session; asked it to check now")
	return nil, printReply(e, "", rep, exitProbe), false
}

// forwarder answers the requests later launches forward (check-now, an
// action from a notification URI or `traycheck action`): it hands them to
// the loop and waits for the report that carries their result. It is a
// monitor.Sink; create it before the Monitor, Attach it after.
type forwarder struct {
	mon *monitor.Monitor
	// OnAction, when set, takes verified actions before the loop does:
	// the Windows wiring hands them to the toast notifier (DeliverAction),
	// whose own keys ("confirm-end-process") the loop does not know.
	OnAction func(ctx context.Context, m instance.Message) (rep instance.Reply, handled bool)

	mu      sync.Mutex
	checks  []checkWaiter
	actions map[string]chan monitor.Report // by token
}

type checkWaiter struct {
	since time.Time
	ch    chan monitor.Report
}

func newForwarder() *forwarder {
	return &forwarder{actions: map[string]chan monitor.Report{}}
}

// Attach sets the loop requests go to.
func (f *forwarder) Attach(m *monitor.Monitor) { f.mon = m }

// Serve opens the IPC endpoint of the instance that holds lock; tokens
// check the ones the notifications carry.
func (f *forwarder) Serve(lock *instance.Lock, tokens instance.TokenChecker, e *env) (*instance.Server, error) {
	return lock.Listen(f.handle, tokens, e.log)
}

func (f *forwarder) Checking(monitor.Trigger) {}

// Result hands a report to whoever waits for it. It never blocks: each
// waiter's channel has room for one report.
func (f *forwarder) Result(r monitor.Report) {
	f.mu.Lock()
	defer f.mu.Unlock()
	kept := f.checks[:0]
	for _, w := range f.checks {
		// A check that started after the request includes it; one that was
		// already running when it came may predate the user's change.
		if (r.Trigger.Kind == monitor.Manual || r.Trigger.Kind == monitor.Action) && !r.At.Before(w.since) {
			w.ch <- r
			continue
		}
		kept = append(kept, w)
	}
	f.checks = kept
	if r.Action != nil {
		if ch, ok := f.actions[r.Action.Request.Token]; ok {
			ch <- r
			delete(f.actions, r.Action.Request.Token)
		}
	}
}

// replyWait bounds how long a forwarded request waits for its check, within
// the client's own limit.
const replyWait = instance.SendTimeout - 5*time.Second

func (f *forwarder) handle(ctx context.Context, m instance.Message) instance.Reply {
	if f.mon == nil {
		return instance.Reply{Error: "traycheck is still starting; try again"}
	}
	ch := make(chan monitor.Report, 1)
	switch m.Op {
	case instance.OpCheckNow:
		f.mu.Lock()
		f.checks = append(f.checks, checkWaiter{since: time.Now(), ch: ch})
		f.mu.Unlock()
		f.mon.CheckNow("cli")
	case instance.OpAction:
		if f.OnAction != nil {
			if rep, ok := f.OnAction(ctx, m); ok {
				return rep
			}
		}
		req, err := actionRequest(m)
		if err != nil {
			return instance.Reply{Error: err.Error()}
		}
		f.mu.Lock()
		f.actions[m.Token] = ch
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			delete(f.actions, m.Token)
			f.mu.Unlock()
		}()
		if err := f.mon.Act(req); err != nil {
			return instance.Reply{Error: err.Error()}
		}
	}
	select {
	case r := <-ch:
		return reportReply(r)
	case <-ctx.Done():
		return instance.Reply{Error: "traycheck is shutting down"}
	case <-time.After(replyWait):
		return instance.Reply{Error: "the check did not finish in time; see the tray"}
	}
}

// actionRequest turns a verified IPC action into a loop request. The token
// was redeemed by the server; the action id and resource are checked here.
func actionRequest(m instance.Message) (monitor.Request, error) {
	a := diagnose.Action(m.Action)
	known := false
	for _, x := range diagnose.Actions {
		known = known || x == a
	}
	if !known {
		return monitor.Request{}, fmt.Errorf("unknown action %q", m.Action)
	}
	rs, err := vpnport.ParseTarget(m.Resource)
	if err != nil || len(rs) != 1 {
		return monitor.Request{}, fmt.Errorf("action needs one resource (tcp/N, udp/N or a device), got %q", m.Resource)
	}
	return monitor.Request{Action: a, Resource: rs[0], PID: m.PID, Token: m.Token, Source: "ipc"}, nil
}

// reportReply is what the user who asked sees: the action's outcome, if
// any, then the findings as `traycheck check` prints them, even when
// nothing changed.
func reportReply(r monitor.Report) instance.Reply {
	var b bytes.Buffer
	if o := r.Action; o != nil {
		switch {
		case o.NeedsConfirmation():
			fmt.Fprintf(&b, "needs confirmation (answer it in the tray or notification): %s\n", o.Prompt)
		case o.Err != nil:
			return instance.Reply{Error: fmt.Sprintf("%s failed: %v", o.Request.Action, o.Err)}
		case o.Message != "":
			fmt.Fprintln(&b, o.Message)
		}
	}
	if r.Err != nil {
		return instance.Reply{Error: "cannot check: " + r.Err.Error()}
	}
	writeFindings(&b, r.Findings)
	return instance.Reply{OK: true, Message: b.String()}
}
