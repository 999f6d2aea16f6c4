package findingprint

import (
	"errors"
	"flag"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/traycheck/traycheck/internal/diagnose"
)

// Style is how lines for a person look on one output. The zero Style is
// plain and unwrapped: what a pipe, a file and a test get.
type Style struct {
	// Color: the verdict (status and cause) in colour, as ANSI SGR.
	Color bool
	// Width is the terminal's width in columns; messages wrap under their
	// column to fit. 0: never wrap.
	Width int
}

// ColorMode is --color: auto (a terminal that can), always or never.
type ColorMode int

const (
	ColorAuto ColorMode = iota
	ColorAlways
	ColorNever
)

var colorModes = []string{"auto", "always", "never"}

func (m ColorMode) String() string { return colorModes[m] }

// Set parses a --color value.
func (m *ColorMode) Set(s string) error {
	for i, name := range colorModes {
		if s == name {
			*m = ColorMode(i)
			return nil
		}
	}
	return errors.New("want auto, always or never")
}

// ColorFlag is the --color flag of the commands that print findings.
func ColorFlag(fs *flag.FlagSet) *ColorMode {
	m := new(ColorMode)
	fs.Var(m, "color", "colour the verdicts: `WHEN` is auto (on a terminal), always or never")
	return m
}

// QuietFlag is --quiet and its short form -q; what says what is left out.
func QuietFlag(fs *flag.FlagSet, what string) *bool {
	q := new(bool)
	fs.BoolVar(q, "quiet", false, what)
	fs.BoolVar(q, "q", false, what) // the same text: help shows "-q, --quiet"
	return q
}

// Detect decides the style of w: colour and wrapping only when w is a
// terminal (a console on Windows), and colour by mode and the environment
// getenv reads:
//
//   - --color=never and --color=always win over everything;
//   - NO_COLOR (set and not empty) turns colour off;
//   - CLICOLOR_FORCE (set, not "0") turns it on, on a pipe too;
//   - TERM=dumb, a pipe or a file, or a Windows console without ANSI
//     support get none.
//
// The width is the terminal's, else COLUMNS; a pipe is never wrapped.
func Detect(w io.Writer, mode ColorMode, getenv func(string) string) Style {
	var t termInfo
	if f, ok := w.(interface{ Fd() uintptr }); ok {
		t = terminal(f.Fd())
	}
	st := Style{}
	if t.tty {
		st.Width = t.cols
		if st.Width <= 0 {
			st.Width, _ = strconv.Atoi(strings.TrimSpace(getenv("COLUMNS")))
		}
	}
	switch {
	case mode == ColorNever:
	case mode == ColorAlways:
		st.Color = true
	case getenv("NO_COLOR") != "":
	case getenv("CLICOLOR_FORCE") != "" && getenv("CLICOLOR_FORCE") != "0":
		st.Color = true
	default:
		st.Color = t.tty && t.ansi && getenv("TERM") != "dumb"
	}
	return st
}

// Auto is the style of w with --color=auto and the process's environment:
// for output whose command has no --color flag (check-now, action).
func Auto(w io.Writer) Style { return Detect(w, ColorAuto, os.Getenv) }

// termInfo is what the OS says about an output: a terminal, its width (0:
// unknown), and whether it shows ANSI colours.
type termInfo struct {
	tty  bool
	cols int
	ansi bool
}

// SGR sequences of the verdict colours.
const (
	sgrRed   = "\x1b[31m"
	sgrAmber = "\x1b[33m"
	sgrDim   = "\x1b[2m"
	sgrReset = "\x1b[0m"
)

// verdict is the status and cause cells (text), coloured by what they say:
// a problem red, TIME_WAIT (which ends by itself) amber, fine dim.
func (st Style) verdict(f diagnose.Finding, text string) string {
	if !st.Color {
		return text
	}
	c := sgrDim
	switch {
	case f.Cause == diagnose.TimeWait:
		c = sgrAmber
	case f.NeedsAttention():
		c = sgrRed
	}
	return c + text + sgrReset
}
