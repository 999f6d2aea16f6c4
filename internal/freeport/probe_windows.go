package freeport

import (
	"errors"
	"syscall"
)

// Go sets no SO_REUSEADDR on Windows listeners (there it would allow
// stealing a bound port), so a plain bind is already the strict probe.
func noReuseAddr(_, _ string, _ syscall.RawConn) error { return nil }

const (
	wsaeacces     = syscall.Errno(10013)
	wsaeaddrinuse = syscall.Errno(10048)
)

// isBindConflict reports an error that means the port is taken or refused
// (10013 is a reserved range), as opposed to an address family the host lacks.
func isBindConflict(err error) bool {
	return errors.Is(err, wsaeaddrinuse) || errors.Is(err, wsaeacces)
}
