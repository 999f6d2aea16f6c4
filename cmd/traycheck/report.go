package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/logfile"
	"github.com/traycheck/traycheck/internal/report"
)

func init() {
	register(&command{
		name:    "report",
		summary: "write a diagnostic report for a helpdesk (redacted)",
		run:     runReport,
	})
}

// runReport writes the report even when parts of it failed, because a
// helpdesk needs it most then: exit 0 when complete, 3 when the probe failed
// and 2 when the config is broken (the report says why in both cases) or
// the report could not be written.
func runReport(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "write the report as JSON")
	out := fs.String("out", "", "write the report to FILE (atomically) instead of standard output")
	full := fs.Bool("full", false, "keep command-line arguments (user names and home paths are still replaced)")
	cfgPath := fs.String("config", "", "config file (default: the user config, else the built-in default)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: traycheck report [--json] [--out FILE] [--full] [--config FILE]")
		fmt.Fprintln(e.stderr, "Writes what a helpdesk needs: versions, config, every watched port and device with its holders, adapters, recent events.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(e, fs, args); !ok {
		return code
	}

	code := exitOK
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		code = exitUsage
	}
	r, in := buildReport(ctx, e, cfg, err, *full)
	if in.ProbeErr != nil {
		code = exitProbe
	}
	var buf bytes.Buffer
	if *asJSON {
		err = r.WriteJSON(&buf)
	} else {
		err = r.WriteText(&buf)
	}
	if err == nil {
		if *out == "" {
			_, err = e.stdout.Write(buf.Bytes())
		} else if err = report.WriteFile(*out, buf.Bytes()); err == nil {
			fmt.Fprintf(e.stdout, "report written to %s\n", *out)
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "traycheck report: %v\n", err)
		return exitUsage
	}
	if in.ConfigErr != nil {
		fmt.Fprintf(e.stderr, "traycheck report: %v\n", in.ConfigErr)
	}
	if in.ProbeErr != nil {
		fmt.Fprintf(e.stderr, "traycheck report: %v\n", in.ProbeErr)
	}
	return code
}

// buildReport is the redacted report of cfg (nil when it failed to load,
// cfgErr saying why): one probe of its resources, diagnosed as `traycheck
// check` does, and the recent events of the log. `traycheck report` and the
// tray's "Copy diagnostics" both write it. The Input says what failed.
func buildReport(ctx context.Context, e *env, cfg *config.Config, cfgErr error, full bool) (*report.Report, report.Input) {
	in := report.Input{Version: version, Now: time.Now(), Config: cfg, ConfigErr: cfgErr}
	if cfg != nil {
		in.Observations, in.Findings, in.ProbeErr = observeResources(ctx, cfg.Resources(), diagContext(cfg, in.Now))
	}
	if p, err := logfile.DefaultPath(); err == nil {
		if in.Recent, err = report.ReadLog(p); err != nil {
			e.log.Warn("reading the log for the report", "err", err)
		}
		in.LastSuspend, in.LastResume = report.LastPower(in.Recent)
	}
	return report.Redact(report.Build(in), report.ForCurrentUser(full)), in
}
