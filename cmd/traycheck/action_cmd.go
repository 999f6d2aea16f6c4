package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/traycheck/traycheck/internal/instance"
)

func init() {
	register(&command{name: "action", summary: "forward a notification's action to the running traycheck", run: runAction})
}

// runAction is `traycheck action ID --resource R [--pid N] --token T`, or
// `traycheck action traycheck:ID?resource=R&token=T` with the URI a toast
// button opens on Windows. It only forwards: the running instance checks the
// token (issued with the notification, good once) and does the action, so
// nothing here can end, reset or remove anything by itself.
func runAction(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("action", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	resource := fs.String("resource", "", "the resource the action is for (tcp/N, udp/N, a device)")
	pid := fs.Int("pid", 0, "the process to end, for end-process")
	token := fs.String("token", "", "the token of the notification the action came from")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: traycheck action ID --resource R [--pid N] --token T")
		fmt.Fprintln(e.stderr, "       traycheck action traycheck:ID?resource=R&token=T")
		fs.PrintDefaults()
	}
	// The action id comes first, flags after it; the flag package stops at
	// the first non-flag, so split it off.
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fs.Usage()
			return exitOK
		}
		fs.Usage()
		return exitUsage
	}
	id, rest := args[0], args[1:]
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "traycheck action: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	var m instance.Message
	var err error
	if strings.HasPrefix(strings.ToLower(id), "traycheck:") {
		m, err = instance.ParseURI(id)
	} else {
		m = instance.Message{Op: instance.OpAction, Action: id, Resource: *resource, PID: *pid, Token: *token}
		err = m.Validate()
	}
	if err != nil {
		e.log.Warn("rejected an action request", "err", err)
		fmt.Fprintf(e.stderr, "traycheck action: %v\n", err)
		return exitUsage
	}
	rep, err := instance.Send(ctx, m)
	if errors.Is(err, instance.ErrNotRunning) {
		fmt.Fprintln(e.stderr, "traycheck action: no traycheck is running in this session, so there is no notification to act on; run `traycheck check` to see the current state")
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "traycheck action: %v\n", err)
		return exitProbe
	}
	return printReply(e, "action", rep, exitUsage)
}
