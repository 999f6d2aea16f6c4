package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/explain"
	"github.com/traycheck/traycheck/internal/monitor"
)

func runExplain(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "explain", "traycheck explain [--json] [--config FILE] [TEXT...]",
		"Recognises a \"port in use\" error message (TEXT, or standard input when none), checks the port or device it names and says who holds it.")
	asJSON := jsonFlag(fs, "the result")
	cfgPath := configFlag(fs)
	words, err := parse(fs, args, -1)
	if err != nil {
		return err
	}
	text := strings.Join(words, " ")
	if len(words) == 0 {
		b, err := io.ReadAll(io.LimitReader(e.stdin, diagnose.MaxExplainBytes))
		if err != nil {
			return usageError(fmt.Errorf("reading standard input: %w", err))
		}
		text = string(b)
	}
	m := diagnose.Explain(text)
	if !m.Matched {
		if *asJSON {
			explain.WriteJSON(e.stdout, explain.JSON{Match: m, Findings: []diagnose.Finding{}})
		}
		return usageError(errors.New("this text is not an error traycheck knows (port or device in use, RAS 602/633, reserved port, adapter in use, missing tray host); nothing was checked"))
	}
	e.log.Debug("explain matched", "entry", m.Entry, "line", m.Line)
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	rs := explain.Resources(m, cfg)
	var findings []diagnose.Finding
	if len(rs) > 0 {
		// The text is a program failing to get the resource, so a client
		// holding it is not that program: another instance, or a leftover.
		dc := monitor.DiagnoseContext(cfg, time.Now())
		dc.Contended = true
		if _, findings, err = monitor.Once(ctx, rs, dc); err != nil {
			return probeError(fmt.Errorf("checking %s: %w", explain.List(rs), err))
		}
	}
	sug := explain.Suggest(ctx, m, text, findings)
	if *asJSON {
		explain.WriteJSON(e.stdout, explain.JSON{Match: m, Findings: findings})
	} else {
		explain.WriteText(e.stdout, m, rs, findings, sug)
	}
	// An adapter or tray problem has no port to check here, but the text
	// is an error the user has to act on.
	if len(rs) == 0 {
		return exitStatus(exitAttention)
	}
	for _, f := range findings {
		if f.NeedsAttention() {
			return exitStatus(exitAttention)
		}
	}
	return nil
}
