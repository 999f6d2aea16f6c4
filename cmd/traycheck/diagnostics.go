package main

import (
	"bytes"
	"context"
	"fmt"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/report"
)

// diagnosticsWriter is the tray's "Copy diagnostics": the redacted report
// `traycheck report` prints, for the config the tray runs with, written
// atomically to report.DefaultPath so the user can attach it where pasting
// is not possible. A failed probe still gives a report (it says why); only
// a report that cannot be written is an error.
func diagnosticsWriter(e *env, cfg *config.Config) func(ctx context.Context) (string, []byte, error) {
	return func(ctx context.Context) (string, []byte, error) {
		r, in := buildReport(ctx, e, cfg, nil, false)
		if in.ProbeErr != nil {
			e.log.Warn("the diagnostic report has no check", "err", in.ProbeErr)
		}
		var buf bytes.Buffer
		if err := r.WriteText(&buf); err != nil {
			return "", nil, fmt.Errorf("rendering the report: %w", err)
		}
		path, err := report.DefaultPath()
		if err != nil {
			return "", nil, err
		}
		if err := report.WriteFile(path, buf.Bytes()); err != nil {
			return "", nil, err
		}
		return path, buf.Bytes(), nil
	}
}
