package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/vpnport"
)

func init() {
	register(&command{name: "check", summary: "say who holds the VPN's ports and devices, and what to do", run: runCheck})
}

// checkReport is the JSON document of `traycheck check --json`; its field
// names are public contract.
type checkReport struct {
	CheckedAt time.Time          `json:"checked_at"`
	Findings  []diagnose.Finding `json:"findings"`
}

func runCheck(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print the findings as JSON")
	cfgPath := fs.String("config", "", "config file (default: the user config, else the embedded default)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: traycheck check [--json] [--config FILE] [TARGET...]")
		fmt.Fprintln(e.stderr, "TARGET is tcp/PORT, udp/PORT, PORT (both) or a device path; none: the configured ones.")
		fs.PrintDefaults()
	}
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	targets, err := parseTargets(rest)
	if err != nil {
		fmt.Fprintf(e.stderr, "traycheck check: %v\n", err)
		return exitUsage
	}
	cfg, code := loadConfig(e, *cfgPath)
	if cfg == nil {
		return code
	}
	if len(targets) == 0 {
		targets = cfg.Resources()
	}
	now := time.Now()
	findings, err := checkResources(ctx, targets, diagContext(cfg, now))
	if err != nil {
		fmt.Fprintf(e.stderr, "traycheck check: %v\n", err)
		return exitProbe
	}
	if *asJSON {
		writeJSON(e.stdout, checkReport{CheckedAt: now.UTC().Truncate(time.Second), Findings: findings})
	} else {
		writeFindings(e.stdout, findings)
	}
	return exitFor(findings)
}

// parseInterspersed parses flags wherever they stand among the targets
// (`traycheck check 8080 --json` as well as `check --json 8080`), which the
// flag package alone stops doing at the first target. Targets never start
// with "-", so nothing is ambiguous.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
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

// diagContext is what diagnosis needs from the config for a one-shot check.
func diagContext(cfg *config.Config, now time.Time) diagnose.Context {
	return diagnose.Context{
		Now:               now,
		VPNClients:        cfg.Clients,
		SSHForwardPorts:   cfg.SSHForwardPorts,
		AdapterConfigured: cfg.Adapter != "",
	}
}

// checkResources is one probe and diagnosis of rs: the pipeline that check,
// explain and check-now share.
func checkResources(ctx context.Context, rs []vpnport.Resource, dc diagnose.Context) ([]diagnose.Finding, error) {
	_, fs, err := observeResources(ctx, rs, dc)
	return fs, err
}

// observeResources is checkResources that also returns the raw
// observations, for the report's socket and TIME_WAIT counts.
func observeResources(ctx context.Context, rs []vpnport.Resource, dc diagnose.Context) ([]vpnport.Observation, []diagnose.Finding, error) {
	if len(rs) == 0 {
		return nil, nil, nil
	}
	p := vpnport.New()
	defer p.Close()
	// The same deadline as the watch loop's: a device or lock file on a hung
	// file system fails the check instead of hanging the command.
	ctx, cancel := context.WithTimeout(ctx, monitor.DefaultProbeTimeout)
	defer cancel()
	// A check from the command line is a person asking: it may open a
	// device when the passive checks cannot tell.
	ctx = vpnport.WithClientNames(ctx, dc.VPNClients)
	obs, err := p.Probe(vpnport.AllowDeviceOpen(ctx), rs)
	if err != nil {
		return nil, nil, fmt.Errorf("probe failed: %w", err)
	}
	return obs, diagnose.DiagnoseAll(obs, dc), nil
}

func exitFor(fs []diagnose.Finding) int {
	for _, f := range fs {
		if f.NeedsAttention() {
			return exitAttention
		}
	}
	return exitOK
}

// writeJSON writes v as indented JSON with hidden runes (C1 controls, bidi
// overrides) in holder names and paths escaped: see diagnose.EscapeJSON.
func writeJSON(w io.Writer, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	w.Write(diagnose.EscapeJSON(b.Bytes()))
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
			as := make([]string, len(f.Actions))
			for i, a := range f.Actions {
				as[i] = string(a)
			}
			fmt.Fprintf(w, "%-7s  %-*s  next: %s\n", "", width, "", strings.Join(as, ", "))
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
