package main

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/traycheck/traycheck/internal/cli"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/findingprint"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/safetext"
	"github.com/traycheck/traycheck/internal/vpnport"
)

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := cli.NewFlagSet(e.stderr, "check", "traycheck check [--json] [--quiet] [--color WHEN] [--config FILE] [TARGET...]",
		"TARGET is tcp/PORT, udp/PORT, PORT (both) or a device path; none: the configured ones.")
	asJSON := cli.JSONFlag(fs, "the findings")
	cfgPath := cli.ConfigFlag(fs)
	quiet := findingprint.QuietFlag(fs, "print nothing: the exit status says whether a finding needs attention")
	color := findingprint.ColorFlag(fs)
	rest, err := cli.Parse(fs, args, -1)
	if err != nil {
		return err
	}
	targets, err := parseTargets(rest)
	if err != nil {
		return cli.UsageError(err)
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		targets = cfg.Resources()
	}
	now := time.Now()
	_, findings, err := monitor.Once(ctx, targets, monitor.DiagnoseContext(cfg, now))
	if err != nil {
		return cli.ProbeError(err)
	}
	out, st := e.stdout, findingprint.Detect(e.stdout, *color, os.Getenv)
	if *quiet {
		out = io.Discard
	}
	return writeCheck(out, st, *asJSON, now, findings)
}

// parseTargets turns command-line targets into resources, keeping order and
// dropping repeats.
func parseTargets(args []string) ([]vpnport.Resource, error) {
	var out []vpnport.Resource
	seen := map[vpnport.Resource]bool{}
	for _, a := range args {
		rs, err := vpnport.ParseTarget(a)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// printFindings prints a check as `traycheck check` does, here or for the
// running traycheck's check, and returns its exit status.
func printFindings(w io.Writer, asJSON bool, at time.Time, fs []diagnose.Finding) error {
	return writeCheck(w, findingprint.Auto(w), asJSON, at, fs)
}

func writeCheck(w io.Writer, st findingprint.Style, asJSON bool, at time.Time, fs []diagnose.Finding) error {
	w = safetext.DocWriter(w, schemaCheck, false) // text output is no JSON object: kept
	if findingprint.WriteCheck(w, st, asJSON, at, fs) {
		return cli.ExitStatus(cli.ExitAttention)
	}
	return nil
}
