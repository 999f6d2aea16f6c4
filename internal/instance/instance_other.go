//go:build !linux && !darwin && !windows

package instance

import "context"

// Dir is the directory of the lock and the socket; none on this OS.
func Dir() (string, error) { return "", ErrUnsupported }

func acquire() (lockImpl, error)         { return nil, ErrUnsupported }
func listen() (listener, error)          { return nil, ErrUnsupported }
func dial(context.Context) (conn, error) { return nil, ErrNotRunning }
func euid() int                          { return -1 }
