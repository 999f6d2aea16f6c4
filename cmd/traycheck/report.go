package main

import (
	"context"
	"time"

	"github.com/traycheck/traycheck/internal/cli"
	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/report"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// runReport writes the report even when parts of it failed, because a
// helpdesk needs it most then: exit 0 when complete, 3 when the probe failed
// and 2 when the config is broken (the report says why in both cases) or
// the report could not be written.
func runReport(ctx context.Context, e *env, args []string) error {
	fs := cli.NewFlagSet(e.stderr, "report", "traycheck report [--json] [--out FILE] [--full] [--config FILE]",
		"Writes what a helpdesk needs: versions, config, every watched port and device with its holders, adapters, recent events.")
	asJSON := cli.JSONFlag(fs, "the report")
	out := fs.String("out", "", "write the report to `FILE` (atomically) instead of standard output")
	full := fs.Bool("full", false, "keep command-line arguments (user names and home paths are still replaced)")
	cfgPath := cli.ConfigFlag(fs)
	if _, err := cli.Parse(fs, args, 0); err != nil {
		return err
	}
	r, in := report.Collect(ctx, reportInput(*cfgPath, ""), *full, reportCheck)
	switch err := r.Emit(e.stdout, *asJSON, *out); {
	case err != nil:
		return cli.UsageError(err)
	case in.ConfigErr != nil:
		// The report was written and says why; exit 2 as a config error.
		return cli.UsageError(in.ConfigErr)
	case in.ProbeErr != nil:
		return cli.ProbeError(in.ProbeErr)
	}
	return nil
}

// reportInput loads the config through the one layered loader, as `config
// show` does, so the report's values and their sources are the ones in
// force; a config or policy that does not load is the report's config error.
// run picks the journal's run (see report.OwnEvents).
func reportInput(cfgPath, run string) report.Input {
	in := report.Input{Version: version, Run: run}
	l, err := loadLayers(cfgPath)
	if err != nil {
		in.ConfigErr = err
		return in
	}
	in.Config, in.Layers, in.Settings = l.Effective, l.Describe(), l.Settings()
	return in
}

// reportCheck is the report's check: the one-shot check of `traycheck check`.
func reportCheck(ctx context.Context, cfg *config.Config, now time.Time) ([]vpnport.Observation, []diagnose.Finding, error) {
	return monitor.Once(ctx, cfg.Resources(), monitor.DiagnoseContext(cfg, now))
}
