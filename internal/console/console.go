// Package console is the terminal's sink of the watch loop: Sink prints
// checks and suspend/resume events (lines in the one finding format of
// internal/findingprint, or JSON lines for `watch --json`), and Actor, in
// the console mode that is the session's instance, prints the `traycheck
// action` command that answers each offer of the ledger. Both write
// synchronously: the terminal is their only output, and a consumer of JSON
// lines would rather be waited for than lose lines.
//
// It is a sink and nothing else: commands that print findings once
// (check, explain, check-now) use findingprint directly.
package console

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/findingprint"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/power"
	"github.com/traycheck/traycheck/internal/safetext"
)

// Sink prints to the terminal. It writes synchronously: the console
// is the only sink of `watch`, and a consumer of --json would rather be
// waited for than lose lines.
type Sink struct {
	W     io.Writer
	JSON  bool               // one JSON object per line (watch --json)
	Style findingprint.Style // colour and width of the lines (not of JSON)
	// Quiet prints changes only (watch -q): the findings whose cause or
	// holders changed, and a probe starting or stopping to fail; no
	// suspend/resume lines and no checks that changed nothing.
	Quiet   bool
	failing bool // the last check's probe failed
}

func (c *Sink) Checking(monitor.Trigger) {}

// Power prints a suspend or resume.
func (c *Sink) Power(ev power.Event) {
	if c.Quiet {
		return
	}
	slept := int64(math.Round(ev.Slept.Seconds()))
	if c.JSON {
		c.line(struct {
			Event  string `json:"event"`
			SleptS int64  `json:"slept_s"`
			Source string `json:"source"`
		}{ev.Kind.String(), slept, ev.Source})
		return
	}
	switch {
	case ev.Kind == power.Resume && ev.Slept > 0:
		fmt.Fprintf(c.W, "%s resume after %v asleep (%s)\n", stamp(ev.At), ev.Slept.Round(time.Second), ev.Source)
	default:
		fmt.Fprintf(c.W, "%s %s (%s)\n", stamp(ev.At), ev.Kind, ev.Source)
	}
}

// Result prints a check that is worth a line: the first, a transition, one
// a person or a wake asked for, and a probe starting or stopping to fail.
// Quiet keeps the transitions and the failures only.
func (c *Sink) Result(r monitor.Report) {
	failing := r.Err != nil
	changed := len(r.Transitions) > 0 || failing != c.failing
	show := changed || r.First || r.Trigger.Kind != monitor.Interval
	c.failing = failing
	if !show || (c.Quiet && !changed) {
		return
	}
	fs := r.Findings
	if c.Quiet {
		fs = r.Transitions
	}
	if c.JSON {
		out := struct {
			Event     string             `json:"event"`
			Trigger   string             `json:"trigger"`
			CheckedAt string             `json:"checked_at"`
			Findings  []diagnose.Finding `json:"findings"`
			Error     string             `json:"error,omitempty"`
		}{Event: "check", Trigger: string(r.Trigger.Kind), CheckedAt: r.At.Format(time.RFC3339), Findings: fs}
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
		fmt.Fprintf(c.W, "%s %s check: cannot check: %s\n", stamp(r.At), r.Trigger.Kind, safetext.Printable(r.Err.Error()))
		return
	}
	what := string(r.Trigger.Kind)
	if r.First {
		what = "first"
	}
	fmt.Fprintf(c.W, "%s %s check:\n", stamp(r.At), what)
	for _, f := range fs {
		findingprint.WriteFinding(c.W, c.Style, f)
	}
}

func (c *Sink) line(v any) { writeJSONLine(c.W, v) }

// writeJSONLine writes v as one line of JSON (watch --json's format).
func writeJSONLine(w io.Writer, v any) {
	if err := safetext.WriteJSONLine(w, v); err != nil {
		// Every field is plain data, so encoding cannot fail; a writer that
		// fails gets the same error on this line, which is all that can be
		// done about it, but a broken line must not pass silently.
		_ = safetext.WriteJSONLine(w, map[string]string{"event": "error", "error": err.Error()})
	}
}

func stamp(t time.Time) string { return t.Local().Format("15:04:05") }
