// Package cli is what every traycheck subcommand shares at the command line:
// the exit codes, the error type with hints and its one printer, and the
// flag-set helpers (one constructor, the shared --config and --json flags,
// flags anywhere among the arguments, GNU-style usage, --help and
// --version on every flag set, "did you mean" for typos), and the shell
// completion scripts. It knows no subcommand.
//
// Output rules: errors go to stderr, lowercase, as "traycheck CMD: what
// failed", then any hints on lines of their own. A config error is printed
// as it is, since it starts with FILE:LINE:COL for editors. Commands return
// an error; only PrintError writes one.
package cli

import (
	"errors"
	"fmt"
	"io"
)

// Exit codes: the public contract of every subcommand.
const (
	ExitOK        = 0 // nothing needs attention
	ExitAttention = 1 // a conflict or problem was found
	ExitUsage     = 2 // usage or config error
	ExitProbe     = 3 // the probe itself failed
)

// Error is a command's failure: the exit code, the error, and hints that
// say what to do instead.
type Error struct {
	Code  int
	Err   error
	Hints []string
	// Bare: print the error as it is (a config error starts with
	// FILE:LINE:COL), without the "traycheck CMD:" prefix.
	Bare bool
}

func (c *Error) Error() string { return c.Err.Error() }
func (c *Error) Unwrap() error { return c.Err }

// UsageError is a usage or config error (exit 2).
func UsageError(err error, hints ...string) error {
	return &Error{Code: ExitUsage, Err: err, Hints: hints}
}

// ProbeError is a failure of the probe or of reaching the running traycheck
// (exit 3).
func ProbeError(err error, hints ...string) error {
	return &Error{Code: ExitProbe, Err: err, Hints: hints}
}

// ExitStatus is a result that is no failure but sets the exit code (1: a
// conflict was found); nothing is printed for it.
type ExitStatus int

func (s ExitStatus) Error() string { return fmt.Sprintf("exit status %d", int(s)) }

// ErrPrinted is a usage error the flag package has already printed.
var ErrPrinted = &Error{Code: ExitUsage, Err: errors.New("usage error (printed)")}

// PrintError writes err for the command name to stderr and returns the exit
// code.
func PrintError(stderr io.Writer, name string, err error) int {
	var status ExitStatus
	var ce *Error
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &status):
		return int(status)
	case err == ErrPrinted:
		return ExitUsage
	case !errors.As(err, &ce):
		ce = &Error{Code: ExitProbe, Err: err}
	}
	prefix := "traycheck: "
	if name != "" {
		prefix = "traycheck " + name + ": "
	}
	if ce.Bare {
		prefix = ""
	}
	fmt.Fprintln(stderr, prefix+ce.Err.Error())
	for _, h := range ce.Hints {
		fmt.Fprintln(stderr, h)
	}
	return ce.Code
}
