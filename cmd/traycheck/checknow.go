package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
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

// runCheckNow is `traycheck check-now [--json] [--config FILE] [TARGET...]`:
// forward "check now" to the running instance and print the result it
// returns (as `traycheck check --json` would with --json), or, with none
// running, say so and run a one-shot `traycheck check` with the same flags.
// The running instance checks what its own config lists, so TARGET and
// --config are a usage error while one runs.
func runCheckNow(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("check-now", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print the result as JSON, as traycheck check --json does")
	cfgPath := fs.String("config", "", "config file, for the one-shot check when no traycheck runs")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: traycheck check-now [--json] [--config FILE] [TARGET...]")
		fmt.Fprintln(e.stderr, "Asks the running traycheck to check now and prints its result; with none running, checks once here.")
		fmt.Fprintln(e.stderr, "TARGET and --config apply only to that one-shot check.")
		fs.PrintDefaults()
	}
	targets, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if _, err := parseTargets(targets); err != nil {
		fmt.Fprintf(e.stderr, "traycheck check-now: %v\n", err)
		return exitUsage
	}
	if len(targets) > 0 || *cfgPath != "" {
		// Ask first, without starting a check, whether these could apply.
		running, err := instance.Running(ctx)
		if err != nil {
			fmt.Fprintf(e.stderr, "traycheck check-now: %v\n", err)
			return exitProbe
		}
		if running {
			fmt.Fprintln(e.stderr, "traycheck check-now: a traycheck is running in this session and checks what its config lists;")
			fmt.Fprintln(e.stderr, "TARGET and --config apply only when none runs: use `traycheck check [--config FILE] [TARGET...]` to check once here")
			return exitUsage
		}
		return checkHere(ctx, e, args)
	}
	rep, err := instance.Send(ctx, instance.Message{Op: instance.OpCheckNow, JSON: *asJSON})
	if errors.Is(err, instance.ErrNotRunning) {
		return checkHere(ctx, e, args)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "traycheck check-now: %v\n", err)
		return exitProbe
	}
	if *asJSON && rep.OK && !json.Valid([]byte(rep.Message)) {
		fmt.Fprintln(e.stderr, "traycheck check-now: the running traycheck did not answer with a whole JSON document (an older version ignores --json: restart it)")
		return exitProbe
	}
	return printReply(e, "check-now", rep, exitProbe)
}

// checkHere is check-now's fallback when no traycheck runs.
func checkHere(ctx context.Context, e *env, args []string) int {
	fmt.Fprintln(e.stderr, "traycheck check-now: no traycheck is running in this session; checking once here")
	return runCheck(ctx, e, args)
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
	if rep.Attention {
		return exitAttention
	}
	return exitOK
}

// claimInstance is the first step of the long-running modes: the tray and
// the bare console fallback, not an explicit `traycheck watch`.
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
		if d := lock.Degraded(); d != nil {
			e.log.Warn("a second traycheck is kept out by one lock only", "err", d)
		}
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
	// Handing over succeeded whatever the check found: the second launch
	// did its job, so it exits 0 (1 only from check-now and action).
	if code := printReply(e, "", rep, exitProbe); code != exitAttention {
		return nil, code, false
	}
	return nil, exitOK, false
}

// forwarder answers the requests later launches forward (check-now, an
// action from a notification URI or `traycheck action`): it hands them to
// the loop and waits for the report that carries their result. It is a
// monitor.Sink; create it before the Monitor, Attach it after.
//
// A check-now is matched to its check causally, never by time: each request
// gets a number n and asks the loop for a check with source "cli#n". A
// manual check whose source is cli#k started after request k was made, and
// so after every request numbered k or lower: it answers them all. The loop
// merges a request into one already pending (keeping the older source) or
// into an action's re-check (reporting the action's source); a request
// still waiting when some other check ends therefore asks again, which is a
// no-op while its own trigger is pending and one more check when it was
// merged away.
type forwarder struct {
	mon loop
	// OnAction, when set, takes verified actions before the loop does:
	// the Windows wiring hands them to the toast notifier (DeliverAction),
	// whose own keys ("confirm-end-process") the loop does not know.
	OnAction func(ctx context.Context, m instance.Message) (rep instance.Reply, handled bool)
	// Hint, when set, tells the caller of an action what to run next: how
	// to confirm it, or, after a failure (a token is used once), the fresh
	// command the console printed. Keyed by the request's token.
	Hint func(requestToken string) (string, bool)
	// wait bounds how long a request waits for its check (0: replyWait).
	wait time.Duration

	mu      sync.Mutex
	seq     uint64 // the last check-now request's number
	checks  []checkWaiter
	actions map[string]chan monitor.Report // by token
}

// loop is what the forwarder asks of the watch loop (*monitor.Monitor).
type loop interface {
	CheckNow(source string)
	Act(req monitor.Request) error
}

type checkWaiter struct {
	seq uint64
	ch  chan monitor.Report
}

// checkNowSource is the trigger source of check-now request n.
const checkNowSource = "cli#"

func checkSource(n uint64) string { return checkNowSource + strconv.FormatUint(n, 10) }

// checkSeq returns the request number in a check's trigger, if it is a
// check-now's.
func checkSeq(t monitor.Trigger) (uint64, bool) {
	rest, ok := strings.CutPrefix(t.Source, checkNowSource)
	if !ok || t.Kind != monitor.Manual {
		return 0, false
	}
	n, err := strconv.ParseUint(rest, 10, 64)
	return n, err == nil
}

func newForwarder() *forwarder {
	return &forwarder{actions: map[string]chan monitor.Report{}}
}

// Attach sets the loop requests go to.
func (f *forwarder) Attach(m *monitor.Monitor) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m != nil {
		f.mon = m
	}
}

// Serve opens the IPC endpoint of the instance that holds lock; tokens
// check the ones the notifications carry.
func (f *forwarder) Serve(lock *instance.Lock, tokens instance.TokenChecker, e *env) (*instance.Server, error) {
	return lock.Listen(f.handle, tokens, e.log)
}

func (f *forwarder) Checking(monitor.Trigger) {}

// Result hands a report to whoever waits for it. It never blocks: each
// waiter's channel has room for one report, and CheckNow only sets a flag.
func (f *forwarder) Result(r monitor.Report) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.checks) > 0 {
		n, ours := checkSeq(r.Trigger)
		kept := f.checks[:0]
		for _, w := range f.checks {
			if ours && n >= w.seq {
				w.ch <- r
				continue
			}
			kept = append(kept, w)
		}
		f.checks = kept
		if len(kept) > 0 {
			f.mon.CheckNow(checkSource(f.seq))
		}
	}
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
	f.mu.Lock()
	mon := f.mon
	f.mu.Unlock()
	if mon == nil {
		return instance.Reply{Error: "traycheck is still starting; try again"}
	}
	ch := make(chan monitor.Report, 1)
	switch m.Op {
	case instance.OpCheckNow:
		f.mu.Lock()
		f.seq++
		w := checkWaiter{seq: f.seq, ch: ch}
		f.checks = append(f.checks, w)
		// Under f.mu, so request numbers and triggers come in one order.
		mon.CheckNow(checkSource(w.seq))
		f.mu.Unlock()
		defer f.dropCheck(ch)
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
		if err := mon.Act(req); err != nil {
			return instance.Reply{Error: err.Error()}
		}
	default:
		return instance.Reply{Error: fmt.Sprintf("unknown request %q", m.Op)}
	}
	wait := f.wait
	if wait <= 0 {
		wait = replyWait
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case r := <-ch:
		if m.JSON {
			return reportJSON(r)
		}
		if o := r.Action; o != nil && f.Hint != nil {
			if h, ok := f.Hint(o.Request.Token); ok {
				if o.NeedsConfirmation() {
					return instance.Reply{OK: true, Message: "needs confirmation: " + h + "\n"}
				}
				if o.Err != nil {
					return instance.Reply{Error: fmt.Sprintf("%s failed: %v\n%s", o.Request.Action, o.Err, h)}
				}
			}
		}
		return reportReply(r)
	case <-ctx.Done():
		return instance.Reply{Error: "traycheck is shutting down"}
	case <-timer.C:
		return instance.Reply{Error: "the check did not finish in time; traycheck will show its result where it runs (tray, notification or console) and in its log"}
	}
}

// dropCheck forgets a check-now request that stopped waiting.
func (f *forwarder) dropCheck(ch chan monitor.Report) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.checks = slices.DeleteFunc(f.checks, func(w checkWaiter) bool { return w.ch == ch })
}

// actionRequest turns a verified IPC action into a loop request. The token
// was redeemed by the server; the action id and resource are checked here.
//
// "confirm-ACTION" is ACTION confirmed. The server redeemed the token for
// exactly that key, and such tokens are only issued with the printed prompt
// (consoleActor.ask), so a note's own token cannot skip the question.
func actionRequest(m instance.Message) (monitor.Request, error) {
	id, confirmed := strings.CutPrefix(m.Action, confirmPrefix)
	a := diagnose.Action(id)
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
	return monitor.Request{Action: a, Resource: rs[0], PID: m.PID, Token: m.Token, Source: "ipc", Confirmed: confirmed}, nil
}

// reportJSON is check-now --json's reply: the document `traycheck check
// --json` prints, for the check the running instance made.
func reportJSON(r monitor.Report) instance.Reply {
	if r.Err != nil {
		return instance.Reply{Error: "cannot check: " + r.Err.Error()}
	}
	findings := r.Findings
	if findings == nil {
		findings = []diagnose.Finding{}
	}
	var b bytes.Buffer
	writeJSON(&b, checkReport{CheckedAt: r.At.UTC().Truncate(time.Second), Findings: findings})
	return instance.Reply{OK: true, Message: b.String(), Attention: exitFor(findings) == exitAttention}
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
	return instance.Reply{OK: true, Message: b.String(), Attention: exitFor(r.Findings) == exitAttention}
}
