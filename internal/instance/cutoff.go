package instance

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// Server.Close waits for the connections being served. One whose client has
// not sent its request yet has nothing worth waiting for, so a listener can
// cut the reads of its connections off at shutdown instead of letting a
// silent client hold Close up for the rest of connTimeout. Writes are left
// alone: a request already read still gets its reply.

// errShutdown marks a read cut off because the server is closing.
var errShutdown = errors.New("instance: server is closing")

// readDeadlineConn is a connection whose reads can be stopped on their own:
// a net.Conn, or an *os.File on an overlapped named pipe.
type readDeadlineConn interface {
	conn
	SetReadDeadline(time.Time) error
}

// pastDeadline has passed already, so a read under it fails at once.
var pastDeadline = time.Unix(1, 0)

// readCutoff tracks a listener's open connections so that cut can stop all
// their reads. The zero value is ready to use.
type readCutoff struct {
	mu   sync.Mutex
	shut bool
	open map[*cutConn]struct{}
}

// track wraps c so that cut reaches it. A connection tracked after cut
// (accepted while the server was closing) is born cut.
func (rc *readCutoff) track(c readDeadlineConn) *cutConn {
	cc := &cutConn{readDeadlineConn: c, rc: rc}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.shut {
		c.SetReadDeadline(pastDeadline)
		return cc
	}
	if rc.open == nil {
		rc.open = make(map[*cutConn]struct{})
	}
	rc.open[cc] = struct{}{}
	return cc
}

// cut fails every pending and future read of the tracked connections.
func (rc *readCutoff) cut() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.shut = true
	for cc := range rc.open {
		cc.readDeadlineConn.SetReadDeadline(pastDeadline)
	}
}

// tracked is the number of connections open and not yet closed.
func (rc *readCutoff) tracked() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.open)
}

func (rc *readCutoff) isShut() bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.shut
}

// cutConn is a tracked connection. Its deadline setters hold the cutoff's
// lock, so a handler that sets its own deadline just after cut cannot undo
// the cut.
type cutConn struct {
	readDeadlineConn
	rc *readCutoff
}

func (c *cutConn) SetDeadline(t time.Time) error {
	c.rc.mu.Lock()
	defer c.rc.mu.Unlock()
	if err := c.readDeadlineConn.SetDeadline(t); err != nil {
		return err
	}
	if c.rc.shut {
		return c.readDeadlineConn.SetReadDeadline(pastDeadline)
	}
	return nil
}

func (c *cutConn) SetReadDeadline(t time.Time) error {
	c.rc.mu.Lock()
	defer c.rc.mu.Unlock()
	if c.rc.shut {
		t = pastDeadline
	}
	return c.readDeadlineConn.SetReadDeadline(t)
}

// Read says why when its deadline was the cut, not the client's slowness.
func (c *cutConn) Read(p []byte) (int, error) {
	n, err := c.readDeadlineConn.Read(p)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) && c.rc.isShut() {
		err = fmt.Errorf("%w: %w", errShutdown, err)
	}
	return n, err
}

func (c *cutConn) Close() error {
	c.rc.mu.Lock()
	delete(c.rc.open, c)
	c.rc.mu.Unlock()
	return c.readDeadlineConn.Close()
}

// unwrap returns the connection c was made from, for the OS code that
// needs its handle.
func (c *cutConn) unwrap() readDeadlineConn { return c.readDeadlineConn }
