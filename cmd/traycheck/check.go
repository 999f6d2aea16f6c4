package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/traycheck/traycheck/internal/console"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// checkReport is the JSON document of `traycheck check --json` (and of
// check-now --json, for the running traycheck's check); its field names are
// public contract.
type checkReport struct {
	CheckedAt time.Time          `json:"checked_at"`
	Findings  []diagnose.Finding `json:"findings"`
}

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "check", "traycheck check [--json] [--config FILE] [TARGET...]",
		"TARGET is tcp/PORT, udp/PORT, PORT (both) or a device path; none: the configured ones.")
	asJSON := jsonFlag(fs, "the findings")
	cfgPath := configFlag(fs)
	rest, err := parse(fs, args, -1)
	if err != nil {
		return err
	}
	targets, err := parseTargets(rest)
	if err != nil {
		return usageError(err)
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
		return probeError(err)
	}
	return printFindings(e.stdout, *asJSON, now, findings)
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
	if asJSON {
		if fs == nil {
			fs = []diagnose.Finding{}
		}
		writeJSON(w, checkReport{CheckedAt: at.UTC().Truncate(time.Second), Findings: fs})
	} else {
		writeFindings(w, fs)
	}
	for _, f := range fs {
		if f.NeedsAttention() {
			return exitStatus(exitAttention)
		}
	}
	return nil
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeFindings prints one line per resource that is fine and two for one
// that needs attention: status, resource, cause and message, then the next
// steps, so the eye finds the problems first.
func writeFindings(w io.Writer, fs []diagnose.Finding) {
	width := 0
	for _, f := range fs {
		width = max(width, len(f.Resource.String()))
	}
	bad := 0
	for _, f := range fs {
		status := "ok"
		if f.NeedsAttention() {
			status = "PROBLEM"
			bad++
		}
		fmt.Fprintf(w, "%-7s  %-*s  %s: %s\n", status, width, f.Resource, f.Cause, f.Message)
		if len(f.Actions) > 0 {
			fmt.Fprintf(w, "%-7s  %-*s  next: %s\n", "", width, "", console.ActionList(f.Actions))
		}
	}
	switch {
	case len(fs) == 0:
		fmt.Fprintln(w, "nothing to check: the config watches no ports or devices")
	case bad == 0:
		fmt.Fprintf(w, "all clear: %d checked\n", len(fs))
	default:
		fmt.Fprintf(w, "%d of %d need attention\n", bad, len(fs))
	}
}
