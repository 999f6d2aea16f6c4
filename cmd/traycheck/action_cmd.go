package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/traycheck/traycheck/internal/instance"
	"github.com/traycheck/traycheck/internal/notify"
)

func init() {
	register(&command{name: "action", summary: "forward a notification's action to the running traycheck", run: runAction})
}

// runAction is `traycheck action ID --resource R [--pid N] --token T`, or
// `traycheck action URI` with the URI a toast button opens on Windows
// (notify.BuildActionURI: traycheck:action?id=ID&tag=R&token=T). It only forwards: the running instance checks the
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
		fmt.Fprintln(e.stderr, "       traycheck action 'traycheck:action?id=ID&tag=R&token=T'")
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
	if code, ok := parseFlags(e, fs, rest); !ok {
		return code
	}
	if strings.HasPrefix(strings.ToLower(id), notify.URLScheme+":") {
		if *resource != "" || *pid != 0 || *token != "" {
			fmt.Fprintln(e.stderr, "traycheck action: a URI carries its own resource and token; give no flags with it")
			return exitUsage
		}
		return forwardActionURI(ctx, e, id)
	}
	return forwardAction(ctx, e, instance.Message{Op: instance.OpAction, Action: id, Resource: *resource, PID: *pid, Token: *token})
}

// forwardActionURI forwards the URI of a toast button (what Windows starts
// `traycheck.exe --action-uri URI` with) to the running instance. The main
// dispatch hands notify.ActionURIFlag's value here.
func forwardActionURI(ctx context.Context, e *env, uri string) int {
	a, err := notify.ParseActionURI(uri)
	if err != nil {
		e.log.Warn("rejected an action URI", "err", err)
		fmt.Fprintf(e.stderr, "traycheck action: %v\n", err)
		return exitUsage
	}
	return forwardAction(ctx, e, instance.Message{Op: instance.OpAction, Action: a.Action, Resource: a.Tag, Token: a.Token})
}

func forwardAction(ctx context.Context, e *env, m instance.Message) int {
	if err := m.Validate(); err != nil {
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
