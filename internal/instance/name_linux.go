package instance

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
)

// The session's name in Linux's abstract socket namespace: it belongs to
// the network namespace, not to a file system, so removing
// $XDG_RUNTIME_DIR under a running instance, or another user taking the
// /tmp fallback first, cannot make room for a second instance. It is made
// of the UID and a hash of the session directory's path, so two sessions
// with different runtime directories (two test runs) stay apart. Anyone may
// bind or connect to an abstract name, so both ends check who is at the
// other: the server checks its clients (peer), a client or a later
// launcher checks the process that bound the name (connUID).

// abstractName is "@traycheck-UID-HASH".
func abstractName() string {
	d, _ := sessionDir()
	sum := sha256.Sum256([]byte(d))
	return fmt.Sprintf("@traycheck-%d-%x", os.Getuid(), sum[:8])
}

// claimName binds the session's abstract name. When it is taken, it asks
// who holds it: our user means another instance runs (ErrRunning); another
// user means a squatter, and the error says so (the caller then relies on
// the flock alone).
func claimName() (*net.UnixListener, error) {
	name := abstractName()
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: name, Net: "unix"})
	if err == nil {
		return ln, nil
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("binding the socket name %s: %w", name, err)
	}
	c, derr := net.DialUnix("unix", nil, &net.UnixAddr{Name: name, Net: "unix"})
	if derr != nil {
		return nil, fmt.Errorf("the socket name %s is taken and does not answer: %w", name, derr)
	}
	defer c.Close()
	uid, uerr := connUID(c)
	switch {
	case uerr != nil:
		return nil, fmt.Errorf("the socket name %s is taken: %w", name, uerr)
	case uid == os.Getuid():
		return nil, ErrRunning
	}
	return nil, fmt.Errorf("another user (UID %d) holds the socket name %s meant for this session", uid, name)
}

// dialName connects to the session's abstract name, refusing a listener
// that is not our user's (a request carries a token, which a squatter must
// never see).
func dialName(ctx context.Context) (conn, error) {
	name := abstractName()
	var d net.Dialer
	nc, err := d.DialContext(ctx, "unix", name)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("%w: %w", ErrNotRunning, err)
		}
		return nil, fmt.Errorf("connecting to the running instance: %w", err)
	}
	c := nc.(*net.UnixConn)
	uid, err := connUID(c)
	if err != nil || uid != os.Getuid() {
		c.Close()
		if err == nil {
			err = fmt.Errorf("it belongs to another user (UID %d); nothing was sent", uid)
		}
		return nil, fmt.Errorf("the socket name %s is not this session's: %w", name, err)
	}
	return c, nil
}
