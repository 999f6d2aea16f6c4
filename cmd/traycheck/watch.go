package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/traycheck/traycheck/internal/cli"
	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/console"
	"github.com/traycheck/traycheck/internal/monitor"
)

// runWatch is `traycheck watch [--json] [--config FILE] [--interval D]`,
// the console mode of the watch loop. It runs until SIGINT/SIGTERM and then
// exits 0.
//
// What it prints: every suspend and resume, and a check when it is the
// first one, when a resource's cause changed (a transition), when it ran
// because of a resume, a manual request or an action, and when the probe
// starts or stops failing. A quiet interval check prints nothing.
//
// With --json, one JSON object per line:
//
//	{"event":"suspend","slept_s":0,"source":"logind"}
//	{"event":"resume","slept_s":95,"source":"logind"}
//	{"event":"check","trigger":"resume","checked_at":"2026-01-02T03:04:05Z","findings":[...]}
//	{"event":"vpn-failed","source":"journald","connection":"work","program":"openvpn","code":"EADDRINUSE","line":"...","at":"...","held":[...]}
//
// findings has the schema of `traycheck check --json`; a check whose probe
// failed has "findings":[] and "error". slept_s is 0 when the source cannot
// tell (logind without a sleep clock).
func runWatch(ctx context.Context, e *env, args []string) error {
	fs := cli.NewFlagSet(e.stderr, "watch", "traycheck watch [--json] [--config FILE] [--interval D] [--textfile DIR]")
	textfile := fs.String("textfile", "", "keep `DIR`/traycheck.prom current for node_exporter's textfile collector")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	cfgPath := cli.ConfigFlag(fs)
	interval := fs.Duration("interval", 0, "check interval, overriding the config (at least 1s)")
	if _, err := cli.Parse(fs, args, 0); err != nil {
		return err
	}
	intervalSet := false
	fs.Visit(func(f *flag.Flag) { intervalSet = intervalSet || f.Name == "interval" })
	if intervalSet && *interval < config.MinInterval {
		return cli.UsageError(fmt.Errorf("--interval %v is below the minimum of %v", *interval, config.MinInterval))
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if *textfile != "" {
		if st, err := os.Stat(*textfile); err != nil || !st.IsDir() {
			return cli.UsageError(fmt.Errorf("--textfile %s: not a directory", *textfile), "point it at node_exporter's --collector.textfile.directory")
		}
		e.textfile = *textfile
	}
	if intervalSet {
		cfg.Interval = *interval
	}
	// No remedy and no instance endpoint: a terminal watch beside the tray
	// does not compete with it for actions.
	sinks := []monitor.Sink{&console.Sink{W: e.stdout, JSON: *asJSON}, eventPrinter{w: e.stdout, json: *asJSON}}
	return runLoop(ctx, e, cfg, sinks, nil, nil, func(ctx context.Context, m *monitor.Monitor) error {
		startTriggers(ctx, e, cfg, m)
		<-ctx.Done()
		return nil
	})
}
