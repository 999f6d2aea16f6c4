package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/power"
)

func init() {
	register(&command{name: "watch", summary: "check in the terminal on an interval and right after every wake", run: runWatch})
}

// runWatch is `traycheck watch [--json] [--config FILE] [--interval D]`,
// the console mode of the watch loop. It runs until SIGINT/SIGTERM and then
// exits 0.
//
// What it prints: every suspend and resume, and a check when it is the
// first one, when a resource's cause changed (a transition), when it ran
// because of a resume, a manual request or an action, and when the probe
// starts or stops failing. A quiet interval check prints nothing.
//
// With --json, one JSON object per line:
//
//	{"event":"suspend","slept_s":0,"source":"logind"}
//	{"event":"resume","slept_s":95,"source":"logind"}
//	{"event":"check","trigger":"resume","checked_at":"2026-01-02T03:04:05Z","findings":[...]}
//
// findings has the schema of `traycheck check --json`; a check whose probe
// failed has "findings":[] and "error". slept_s is 0 when the source cannot
// tell (logind without a sleep clock).
func runWatch(ctx context.Context, e *env, args []string) int {
	fl := flag.NewFlagSet("watch", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	asJSON := fl.Bool("json", false, "print one JSON object per line")
	cfgPath := fl.String("config", "", "config file (default: the user config file, else the embedded default)")
	interval := fl.Duration("interval", 0, "check interval, overriding the config (at least 1s)")
	if code, ok := parseFlags(e, fl, args); !ok {
		return code
	}
	intervalSet := false
	fl.Visit(func(f *flag.Flag) { intervalSet = intervalSet || f.Name == "interval" })
	if intervalSet && *interval < config.MinInterval {
		fmt.Fprintf(e.stderr, "traycheck watch: --interval %v is below the minimum of %v\n", *interval, config.MinInterval)
		return exitUsage
	}
	cfg, code := loadConfig(e, *cfgPath)
	if cfg == nil {
		return code
	}
	if intervalSet {
		cfg.Interval = *interval
	}
	return watchConsole(ctx, e, cfg, *asJSON)
}

// watchConsole is `traycheck watch`'s loop: the console and the log are its
// only sinks, and it takes no actions (it is not the session's instance, so
// a terminal watch beside the tray does not compete with it).
func watchConsole(ctx context.Context, e *env, cfg *config.Config, asJSON bool) int {
	return consoleLoop(ctx, e, "traycheck watch", cfg, asJSON, nil, nil, nil)
}

// consoleSink prints to the terminal. It writes synchronously: the console
// is the only sink of `watch`, and a consumer of --json would rather be
// waited for than lose lines.
type consoleSink struct {
	w       io.Writer
	json    bool
	failing bool // the last check's probe failed
}

func (c *consoleSink) Checking(monitor.Trigger) {}

// Power prints a suspend or resume.
func (c *consoleSink) Power(ev power.Event) {
	slept := int64(math.Round(ev.Slept.Seconds()))
	if c.json {
		c.line(struct {
			Event  string `json:"event"`
			SleptS int64  `json:"slept_s"`
			Source string `json:"source"`
		}{ev.Kind.String(), slept, ev.Source})
		return
	}
	switch {
	case ev.Kind == power.Resume && ev.Slept > 0:
		fmt.Fprintf(c.w, "%s resume after %v asleep (%s)\n", stamp(ev.At), ev.Slept.Round(time.Second), ev.Source)
	default:
		fmt.Fprintf(c.w, "%s %s (%s)\n", stamp(ev.At), ev.Kind, ev.Source)
	}
}

// Result prints a check that is worth a line (see runWatch).
func (c *consoleSink) Result(r monitor.Report) {
	failing := r.Err != nil
	show := r.First || len(r.Transitions) > 0 || r.Trigger.Kind != monitor.Interval || failing != c.failing
	c.failing = failing
	if !show {
		return
	}
	if c.json {
		out := struct {
			Event     string             `json:"event"`
			Trigger   string             `json:"trigger"`
			CheckedAt string             `json:"checked_at"`
			Findings  []diagnose.Finding `json:"findings"`
			Error     string             `json:"error,omitempty"`
		}{Event: "check", Trigger: string(r.Trigger.Kind), CheckedAt: r.At.Format(time.RFC3339), Findings: r.Findings}
		if out.Findings == nil {
			out.Findings = []diagnose.Finding{}
		}
		if r.Err != nil {
			out.Error = r.Err.Error()
		}
		c.line(out)
		return
	}
	if r.Err != nil {
		fmt.Fprintf(c.w, "%s %s check: cannot check: %v\n", stamp(r.At), r.Trigger.Kind, r.Err)
		return
	}
	what := string(r.Trigger.Kind)
	if r.First {
		what = "first"
	}
	fmt.Fprintf(c.w, "%s %s check:\n", stamp(r.At), what)
	for _, f := range r.Findings {
		msg := strings.TrimSpace(f.Message)
		if msg == "" {
			msg = f.Resource.String()
		}
		fmt.Fprintf(c.w, "  %-18s %s\n", "["+string(f.Cause)+"]", msg)
	}
}

func (c *consoleSink) line(v any) { writeJSONLine(c.w, v) }

// writeJSONLine writes v as one line of JSON (watch --json's format).
func writeJSONLine(w io.Writer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Every field is plain data; this cannot happen, but a broken line
		// must not pass silently.
		fmt.Fprintf(w, "{\"event\":\"error\",\"error\":%q}\n", err.Error())
		return
	}
	w.Write(append(diagnose.EscapeJSON(b), '\n'))
}

func stamp(t time.Time) string { return t.Local().Format("15:04:05") }
