package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/traycheck/traycheck/internal/cli"
	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/console"
	"github.com/traycheck/traycheck/internal/findingprint"
	"github.com/traycheck/traycheck/internal/monitor"
)

// runWatch is `traycheck watch [--json] [--config FILE] [--interval D]`,
// the console mode of the watch loop. It runs until SIGINT/SIGTERM and then
// exits 0.
//
// What it prints: every suspend and resume, and a check when it is the
// first one, when a resource's cause changed (a transition), when it ran
// because of a resume, a manual request or an action, and when the probe
// starts or stops failing. A quiet interval check prints nothing. With
// --quiet only changes: the findings that changed, and the probe starting
// or stopping to fail (no suspend/resume lines).
//
// With --json, one JSON object per line:
//
//	{"event":"suspend","slept_s":0,"source":"logind"}
//	{"event":"resume","slept_s":95,"source":"logind"}
//	{"event":"check","trigger":"resume","checked_at":"2026-01-02T03:04:05Z","findings":[...]}
//	{"event":"config","at":"2026-01-02T03:04:05Z","changed":["ssh.forward_ports: [] (default) -> [8080] (user)"]}
//	{"event":"config","at":"...","changed":[],"error":"FILE:4:18: ...","file":"FILE","line":4}
//	{"event":"vpn-failed","source":"journald","connection":"work","program":"openvpn","code":"EADDRINUSE","line":"...","at":"...","held":[...]}
//
// The config, the machine policy and the files discovery reads are polled
// every 2 s: an edit applies without a restart (a "config" line says what
// changed), a bad one is said with its file and line while the last good
// config stays.
//
// findings has the schema of `traycheck check --json` (with --quiet, only
// the findings that changed); a check whose probe failed has "findings":[]
// and "error". slept_s is 0 when the source cannot
// tell (logind without a sleep clock).
func runWatch(ctx context.Context, e *env, args []string) error {
	fs := cli.NewFlagSet(e.stderr, "watch", "traycheck watch [--json] [--quiet] [--color WHEN] [--config FILE] [--interval D] [--textfile DIR]")
	textfile := fs.String("textfile", "", "keep `DIR`/traycheck.prom current for node_exporter's textfile collector")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	cfgPath := cli.ConfigFlag(fs)
	interval := fs.Duration("interval", 0, "check interval, overriding the config (at least 1s)")
	quiet := findingprint.QuietFlag(fs, "print changes only: the findings that changed and a probe starting or stopping to fail")
	color := findingprint.ColorFlag(fs)
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
	var adjust func(*config.Config)
	if intervalSet {
		adjust = func(c *config.Config) { c.Interval = *interval }
	}
	out := watchOut(e.stdout, *asJSON)
	sinks := []monitor.Sink{&console.Sink{W: out, JSON: *asJSON, Quiet: *quiet,
		Style: findingprint.Detect(e.stdout, *color, os.Getenv)}, configNotes{w: out, asJSON: *asJSON}, eventPrinter{w: out, json: *asJSON}}
	return runLoop(ctx, e, cfg, sinks, nil, nil, func(ctx context.Context, m *monitor.Monitor) error {
		liveReload(ctx, e, *cfgPath, m, false, adjust) // edits apply without a restart
		startTriggers(ctx, e, cfg, m)
		<-ctx.Done()
		return nil
	})
}
