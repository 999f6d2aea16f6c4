package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/traycheck/traycheck/internal/cli"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/explain"
	"github.com/traycheck/traycheck/internal/findingprint"
)

func runExplain(ctx context.Context, e *env, args []string) error {
	fs := cli.NewFlagSet(e.stderr, "explain", "traycheck explain [--json] [--color WHEN] [--config FILE] [TEXT...]",
		"Recognises a \"port in use\" error message (TEXT, or standard input when none), checks the port or device it names and says who holds it.")
	asJSON := cli.JSONFlag(fs, "the result")
	cfgPath := cli.ConfigFlag(fs)
	color := findingprint.ColorFlag(fs)
	words, err := cli.Parse(fs, args, -1)
	if err != nil {
		return err
	}
	text := strings.Join(words, " ")
	if len(words) == 0 {
		b, err := io.ReadAll(io.LimitReader(e.stdin, diagnose.MaxExplainBytes))
		if err != nil {
			return cli.UsageError(fmt.Errorf("reading standard input: %w", err))
		}
		text = string(b)
	}
	m := diagnose.Explain(text)
	if !m.Matched {
		if *asJSON {
			explain.WriteJSON(e.stdout, explain.JSON{Match: m})
		}
		return cli.UsageError(errors.New("this text is not an error traycheck knows (port or device in use, Windows RAS errors, reserved port, adapter in use, missing tray host); nothing was checked"))
	}
	m = explain.ResolvePaths(m)
	e.log.Debug("explain matched", "entry", m.Entry, "line", m.Line, "program", m.Program)
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	sc, findings, err := explain.Check(ctx, m, cfg)
	if err != nil {
		return cli.ProbeError(err)
	}
	sug := explain.Suggest(ctx, m, text, findings)
	if *asJSON {
		explain.WriteJSON(e.stdout, explain.NewJSON(m, sc, findings))
	} else {
		explain.WriteText(e.stdout, findingprint.Detect(e.stdout, *color, os.Getenv), m, sc, findings, sug)
	}
	// An adapter, tray or remote problem has no port to check here, and a
	// dial failure is no local conflict, but the text is an error the user
	// has to act on.
	if len(sc.RS) == 0 || m.Family == diagnose.DialFailed {
		return cli.ExitStatus(cli.ExitAttention)
	}
	for _, f := range findings {
		if f.NeedsAttention() {
			return cli.ExitStatus(cli.ExitAttention)
		}
	}
	return nil
}
