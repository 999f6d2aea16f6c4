package main

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/report"
)

// runReport writes the report even when parts of it failed, because a
// helpdesk needs it most then: exit 0 when complete, 3 when the probe failed
// and 2 when the config is broken (the report says why in both cases) or
// the report could not be written.
func runReport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "report", "traycheck report [--json] [--out FILE] [--full] [--config FILE]",
		"Writes what a helpdesk needs: versions, config, every watched port and device with its holders, adapters, recent events.")
	asJSON := jsonFlag(fs, "the report")
	out := fs.String("out", "", "write the report to `FILE` (atomically) instead of standard output")
	full := fs.Bool("full", false, "keep command-line arguments (user names and home paths are still replaced)")
	cfgPath := configFlag(fs)
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	cfg, cfgErr := config.Load(*cfgPath)
	r, in := buildReport(ctx, e, cfg, cfgErr, *full)
	var buf bytes.Buffer
	var err error
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
	switch {
	case err != nil:
		return usageError(err)
	case in.ConfigErr != nil:
		// The report was written and says why; exit 2 as a config error.
		return usageError(in.ConfigErr)
	case in.ProbeErr != nil:
		return probeError(in.ProbeErr)
	}
	return nil
}

// buildReport is the redacted report of cfg (nil when it failed to load,
// cfgErr saying why): one check of its resources, as `traycheck check`
// makes it, and the recent events of the journal. `traycheck report` and
// the tray's "Copy diagnostics" both write it. The Input says what failed.
func buildReport(ctx context.Context, e *env, cfg *config.Config, cfgErr error, full bool) (*report.Report, report.Input) {
	in := report.Input{Version: version, Now: time.Now(), Config: cfg, ConfigErr: cfgErr}
	if cfg != nil {
		in.Observations, in.Findings, in.ProbeErr = monitor.Once(ctx, cfg.Resources(), monitor.DiagnoseContext(cfg, in.Now))
	}
	if p, err := report.JournalPath(); err == nil {
		if in.Recent, err = report.ReadJournal(p); err != nil {
			e.log.Warn("reading the journal for the report", "err", err)
		}
		in.LastSuspend, in.LastResume = report.LastPower(in.Recent)
	}
	return report.Redact(report.Build(in), report.ForCurrentUser(full)), in
}
