package instance

import (
	"context"
	"net"
)

// macOS has no abstract socket namespace: the flock in Dir alone keeps the
// session to one instance.

func abstractName() string                   { return "" }
func claimName() (*net.UnixListener, error)  { return nil, nil }
func dialName(context.Context) (conn, error) { return nil, ErrNotRunning }
