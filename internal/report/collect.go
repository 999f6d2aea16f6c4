package report

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// Check is the one-shot check a report makes of the config's resources
// (monitor.Once with the config's diagnosis context).
type Check func(ctx context.Context, cfg *config.Config, now time.Time) ([]vpnport.Observation, []diagnose.Finding, error)

// Collect is the redacted report of in.Config (nil when it failed to load,
// in.ConfigErr saying why): one check of its resources and the recent
// events of the journal. `traycheck report` and the tray's "Copy
// diagnostics" both write it. The returned Input says what failed.
func Collect(ctx context.Context, in Input, full bool, check Check) (*Report, Input) {
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	if in.Config != nil {
		in.Observations, in.Findings, in.ProbeErr = check(ctx, in.Config, in.Now)
	}
	if p, err := JournalPath(); err == nil {
		if in.Recent, err = ReadJournal(p); err != nil {
			slog.Warn("reading the journal for the report", "err", err)
		}
		in.Recent = OwnEvents(in.Recent, in.Run)
		in.LastSuspend, in.LastResume = LastPower(in.Recent)
	}
	return Redact(Build(in), ForCurrentUser(full)), in
}

// SaveText writes r as text to DefaultPath, atomically, for the tray's
// "Copy diagnostics", and returns where it went and the text.
func SaveText(r *Report) (path string, text []byte, err error) {
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		return "", nil, fmt.Errorf("rendering the report: %w", err)
	}
	if path, err = DefaultPath(); err != nil {
		return "", nil, err
	}
	if err := WriteFile(path, buf.Bytes()); err != nil {
		return "", nil, err
	}
	return path, buf.Bytes(), nil
}
