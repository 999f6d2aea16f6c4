// Package findingprint is how traycheck shows findings: the one line format
// of `traycheck check`, `watch`, the console mode, `explain` and the answers
// a running traycheck sends back (status, cause, message, then the next
// steps under the message), the JSON document of `check --json`, and the
// `traycheck action` command lines that answer an offer.
//
// Colour and wrapping come from a Style decided once per output ([Detect]):
// only on a terminal, never in JSON or a pipe, so what a script reads is
// the same bytes whatever terminal the user has.
//
// It sits below the sinks (internal/console) and the commands: printing a
// finding needs no monitor, so `explain` and `session` import this, not a
// sink.
package findingprint

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/safetext"
)

// The status words of the first column.
const (
	StatusOK      = "ok"
	StatusProblem = "PROBLEM"
)

// statusWidth and causeWidth are fixed, not fitted to the findings at hand,
// so the lines of every check a watch prints share their columns.
var (
	statusWidth = len(StatusProblem)
	causeWidth  = func() int {
		n := 0
		for _, c := range diagnose.Causes {
			n = max(n, len(c))
		}
		return n
	}()
)

// messageColumn is where a finding's message starts (0-based): continuation
// lines and the next steps are indented to it.
var messageColumn = statusWidth + 2 + causeWidth + 2

// MessageColumn is the column a finding's message starts at, for text that
// belongs under it (explain's notes on a finding).
func MessageColumn() int { return messageColumn }

// Status is the first column's word for f.
func Status(f diagnose.Finding) string {
	if f.NeedsAttention() {
		return StatusProblem
	}
	return StatusOK
}

// WriteFinding prints f as every command prints a finding:
//
//	PROBLEM  other-app          udp/1194 is held by nc (PID 42). Close it and retry, or end it.
//	                            next: retry, end-process, use-other-port
//
// The message names the resource, so the resource is not printed twice;
// the next steps (action ids) follow under the message when there are any.
func WriteFinding(w io.Writer, st Style, f diagnose.Finding) {
	msg := strings.TrimSpace(f.Message)
	if msg == "" {
		msg = f.Resource.String()
	}
	status, cause := Status(f), string(f.Cause)
	verdict := fmt.Sprintf("%-*s  %s", statusWidth, status, cause)
	fmt.Fprintf(w, "%s%s", st.verdict(f, verdict), strings.Repeat(" ", max(causeWidth-len(cause), 0)+2))
	st.writeWrapped(w, messageColumn, msg)
	if len(f.Actions) > 0 {
		fmt.Fprint(w, strings.Repeat(" ", messageColumn))
		st.writeWrapped(w, messageColumn, "next: "+ActionList(f.Actions))
	}
}

// WriteFindings prints each finding, then one summary line: how many need
// attention, or that all is clear.
func WriteFindings(w io.Writer, st Style, fs []diagnose.Finding) {
	bad := 0
	for _, f := range fs {
		if f.NeedsAttention() {
			bad++
		}
		WriteFinding(w, st, f)
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

// WriteParagraph prints text wrapped to the style's width, every line
// indented by indent columns (the first too): explain's explanations.
func WriteParagraph(w io.Writer, st Style, indent int, text string) {
	fmt.Fprint(w, strings.Repeat(" ", indent))
	st.writeWrapped(w, indent, text)
}

// CheckReport is the JSON document of `traycheck check --json` (and of
// check-now --json, for the running traycheck's check); its field names are
// public contract.
type CheckReport struct {
	CheckedAt time.Time          `json:"checked_at"`
	Findings  []diagnose.Finding `json:"findings"`
}

// WriteCheck prints a check as `traycheck check` prints it, as the JSON
// document or as lines, and reports whether a finding needs attention.
// JSON ignores the style.
func WriteCheck(w io.Writer, st Style, asJSON bool, at time.Time, fs []diagnose.Finding) (attention bool) {
	switch {
	case asJSON:
		if fs == nil {
			fs = []diagnose.Finding{}
		}
		_ = safetext.WriteJSON(w, CheckReport{CheckedAt: at.UTC().Truncate(time.Second), Findings: fs})
	default:
		WriteFindings(w, st, fs)
	}
	for _, f := range fs {
		if f.NeedsAttention() {
			return true
		}
	}
	return false
}
