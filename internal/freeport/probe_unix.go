//go:build !windows

package freeport

import (
	"errors"
	"syscall"
)

// noReuseAddr undoes Go's default SO_REUSEADDR on listeners (it runs after
// Go sets it, before bind): with it on, a port with only TIME_WAIT sockets
// binds here although ssh or OpenVPN may still fail on it.
func noReuseAddr(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 0)
	})
	if err != nil {
		return err
	}
	return serr
}

// isBindConflict reports an error that means the port is taken or refused,
// as opposed to an address family the host lacks.
func isBindConflict(err error) bool {
	return errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, syscall.EACCES)
}
