package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/traycheck/traycheck/internal/cli"
	"github.com/traycheck/traycheck/internal/instance"
	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/safetext"
	"github.com/traycheck/traycheck/internal/session"
)

// runCheckNow is `traycheck check-now [--json] [--config FILE] [TARGET...]`:
// forward "check now" to the running instance and print the check it made
// (as `traycheck check` would), or, with none running, say so and check
// once here with the same flags. The running instance checks what its own
// config lists, so TARGET and --config are a usage error while one runs.
func runCheckNow(ctx context.Context, e *env, args []string) error {
	fs := cli.NewFlagSet(e.stderr, "check-now", "traycheck check-now [--json] [--config FILE] [TARGET...]",
		"Asks the running traycheck to check now and prints its result; with none running, checks once here.",
		"TARGET and --config apply only to that one-shot check.")
	asJSON := cli.JSONFlag(fs, "the result, as traycheck check --json does,")
	cfgPath := cli.ConfigFlag(fs)
	targets, err := cli.Parse(fs, args, -1)
	if err != nil {
		return err
	}
	if _, err := parseTargets(targets); err != nil {
		return cli.UsageError(err)
	}
	if len(targets) > 0 || *cfgPath != "" {
		// Ask first, without starting a check, whether these could apply.
		running, err := instance.Running(ctx)
		if err != nil {
			return cli.ProbeError(err)
		}
		if running {
			return cli.UsageError(errors.New("a traycheck is running in this session and checks what its config lists;"),
				"TARGET and --config apply only when none runs: use `traycheck check [--config FILE] [TARGET...]` to check once here")
		}
		return checkHere(ctx, e, args)
	}
	rep, err := instance.Send(ctx, instance.Message{Op: instance.OpCheckNow})
	if errors.Is(err, instance.ErrNotRunning) {
		return checkHere(ctx, e, args)
	}
	if err != nil {
		return cli.ProbeError(err)
	}
	return session.PrintAnswer(safetext.DocWriter(e.stdout, schemaCheck, false), *asJSON, "", rep, cli.ProbeError)
}

// checkHere is check-now's fallback when no traycheck runs.
func checkHere(ctx context.Context, e *env, args []string) error {
	fmt.Fprintln(e.stderr, "traycheck check-now: no traycheck is running in this session; checking once here")
	return runCheck(ctx, e, args)
}

// runAction is `traycheck action ID --resource R [--pid N] --token T`, or
// `traycheck action URI` with the URI a toast button opens on Windows
// (notify.BuildActionURI). It only forwards: the running instance redeems
// the token against what it offered and does the action, so nothing here
// can end, reset or remove anything by itself.
func runAction(ctx context.Context, e *env, args []string) error {
	fs := cli.NewFlagSet(e.stderr, "action", "traycheck action ID --resource R [--pid N] --token T",
		"       traycheck action 'traycheck:action?id=ID&tag=R&token=T'")
	resource := fs.String("resource", "", "the resource the action is for (tcp/N, udp/N, a device)")
	pid := fs.Int("pid", 0, "the process to end, for end-process: the one the offer named")
	token := fs.String("token", "", "the token of the offer the action answers")
	rest, err := cli.Parse(fs, args, 1)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return cli.ErrPrinted
	}
	id := rest[0]
	if strings.HasPrefix(strings.ToLower(id), notify.URLScheme+":") {
		if *resource != "" || *pid != 0 || *token != "" {
			return cli.UsageError(errors.New("a URI carries its own resource and token; give no flags with it"))
		}
		return session.ForwardActionURI(ctx, e.stdout, e.log, id)
	}
	return session.ForwardAction(ctx, e.stdout, e.log, instance.Message{Op: instance.OpAction, Action: id, Resource: *resource, PID: *pid, Token: *token})
}

// claimInstance is the first step of the long-running modes: the tray and
// the bare console fallback, not an explicit `traycheck watch`. When another
// traycheck runs in this session it asks that one to check now, prints the
// result and returns errHandedOver: a second launch hands over and exits 0
// whatever the check found. When the lock cannot be had for another reason
// the mode still starts (better a second icon than none) with lock nil.
func claimInstance(ctx context.Context, e *env) (*instance.Lock, error) {
	if w := instance.RootWarning(); w != "" {
		fmt.Fprintln(e.stderr, "traycheck: warning: "+w)
		e.log.Warn("running as root on a desktop")
	}
	lock, err := instance.Acquire()
	if err == nil {
		if d := lock.Degraded(); d != nil {
			e.log.Warn("a second traycheck is kept out by one lock only", "err", d)
		}
		return lock, nil
	}
	if !errors.Is(err, instance.ErrRunning) {
		e.log.Warn("cannot make sure only one traycheck runs", "err", err)
		return nil, nil
	}
	rep, err := instance.Send(ctx, instance.Message{Op: instance.OpCheckNow})
	if err != nil {
		return nil, cli.ProbeError(fmt.Errorf("another traycheck is running in this session but did not answer: %w", err))
	}
	fmt.Fprintln(e.stderr, "traycheck: already running in this session; asked it to check now")
	if err := session.PrintAnswer(e.stdout, false, "", rep, cli.ProbeError); err != nil && !errors.Is(err, cli.ExitStatus(cli.ExitAttention)) {
		return nil, err
	}
	return nil, errHandedOver
}

// errHandedOver ends a second launch that handed over to the running one.
var errHandedOver = cli.ExitStatus(cli.ExitOK)
