// Package instance keeps traycheck to one instance per user session and lets
// a second launch hand its request ("check now", an action from a
// notification) to the running one.
//
// The lock is one the OS drops when the process dies (flock on Linux and
// macOS, a named mutex on Windows), never a PID file a crash leaves behind.
// The channel is a Unix socket of mode 0600 whose peer must have our UID
// (a named pipe with a same-user security descriptor on Windows). Requests
// are small length-prefixed JSON messages (ReadMessage), answered by one
// Reply frame whose body the caller's protocol defines: this package carries
// frames, checks the peer and holds the lock; it renders nothing and judges
// no token (the handler asks the offer ledger).
package instance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// ErrRunning is returned by Acquire when another traycheck of this user
// session holds the lock: forward the request with Send and exit 0.
var ErrRunning = errors.New("instance: traycheck is already running in this session")

// ErrNotRunning is returned by Send when no instance is listening.
var ErrNotRunning = errors.New("instance: no traycheck is running in this session")

// ErrUnsupported is returned on an OS without single-instance support.
var ErrUnsupported = errors.New("instance: not supported on this OS")

// Handler answers one well-formed request from a peer of our user. It runs on
// the connection's goroutine and may take as long as a check takes (the
// client waits up to SendTimeout). An action's token is the handler's to
// redeem.
type Handler func(ctx context.Context, m Message) Reply

// SendTimeout bounds a forwarded request, including the check it asks for.
const SendTimeout = 30 * time.Second

// connTimeout bounds how long one client may take to send its request.
var connTimeout = 5 * time.Second // a var so tests can make it long

// maxConns bounds the connections served at once. When all are taken, the
// oldest one that has been silent for evictAfter makes room (its client is
// told "busy, retry"); when none has, the newcomer is told so. A real client
// sends its request as soon as it connects, so silent clients, however
// many, cannot starve it; Send retries a busy answer until its deadline.
const maxConns = 64

// evictAfter is how long a connection must have been waiting for its
// request before a newcomer may take its slot.
var evictAfter = 100 * time.Millisecond

// BusyReply is the Reply.Error of a server that had no room for the
// request; the request was not read, so sending it again is safe.
const BusyReply = "busy: the running traycheck is serving other requests; retry"

// ErrBusy is returned by Send when the running instance stayed busy until
// the deadline.
var ErrBusy = errors.New("instance: the running traycheck stayed busy; retry later")

// ErrNoAnswer is wrapped by Send's errors when an instance accepted the
// connection but gave no reply: it timed out, or closed or reset the
// connection. It is not a malformed request, and says so.
var ErrNoAnswer = errors.New("instance: the running traycheck did not answer")

// Lock is held by the one running instance.
type Lock struct {
	impl lockImpl
}

// Acquire takes the session lock, or returns ErrRunning.
func Acquire() (*Lock, error) {
	impl, err := acquire()
	if err != nil {
		return nil, err
	}
	return &Lock{impl: impl}, nil
}

// Release gives the lock up (the OS also does when the process dies).
func (l *Lock) Release() error { return l.impl.release() }

// Degraded says, when the lock holds the session by one of its two means
// only (Linux: the runtime directory's flock and the abstract socket name),
// which one is missing and why; nil when all is held. Log it: a second
// instance is then kept out in fewer cases.
func (l *Lock) Degraded() error {
	if d, ok := l.impl.(interface{ degradedErr() error }); ok {
		return d.degradedErr()
	}
	return nil
}

type lockImpl interface{ release() error }

// conn is what the server needs of a connection; net.Conn and a named pipe
// both fit.
type conn interface {
	io.ReadWriteCloser
	SetDeadline(time.Time) error
}

type listener interface {
	accept() (conn, error)
	// peer checks that the client runs as our user.
	peer(c conn) error
	close() error
}

// Server serves requests forwarded by later launches.
type Server struct {
	ln     listener
	h      Handler
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	slots map[*slot]struct{}
}

// slot is one connection being served.
type slot struct {
	c conn
	// reading is set while the server waits for the request, since when.
	reading bool
	since   time.Time
	evicted bool
}

// Listen opens the IPC endpoint for the instance that holds l and serves it
// until Close.
func (l *Lock) Listen(h Handler, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.Default()
	}
	ln, err := listen()
	if w, ok := l.impl.(interface {
		withName(listener, error) (listener, error)
	}); ok {
		ln, err = w.withName(ln, err)
	}
	if err != nil {
		return nil, fmt.Errorf("opening the instance socket: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{ln: ln, h: h, log: log.With("component", "instance"),
		ctx: ctx, cancel: cancel, slots: make(map[*slot]struct{})}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Close stops serving and waits for requests in progress.
func (s *Server) Close() error {
	s.cancel()
	err := s.ln.close()
	s.wg.Wait()
	return err
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.accept()
		if err != nil {
			if s.ctx.Err() == nil {
				s.log.Error("instance socket stopped accepting", "err", err)
			}
			return
		}
		sl := s.admit(c)
		if sl == nil {
			// Nothing to evict: every slot is serving a real request.
			s.log.Warn("all instance connections busy; told a client to retry")
			tell(c, BusyReply)
			c.Close()
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.release(sl)
			s.handle(sl)
		}()
	}
}

func (s *Server) handle(sl *slot) {
	c := sl.c
	defer c.Close()
	if err := s.ln.peer(c); err != nil {
		s.log.Warn("rejected a connection from another user", "err", err)
		return
	}
	c.SetDeadline(time.Now().Add(connTimeout))
	s.mu.Lock()
	sl.reading, sl.since = true, time.Now()
	s.mu.Unlock()
	m, err := ReadMessage(c)
	s.mu.Lock()
	sl.reading = false
	evicted := sl.evicted
	s.mu.Unlock()
	if err != nil {
		s.readFailed(c, err, evicted)
		return
	}
	if m.Op == OpPing {
		WriteReply(c, Reply{})
		return
	}
	s.log.Info("forwarded request", "op", m.Op, "action", m.Action, "resource", m.Resource)
	c.SetDeadline(time.Now().Add(SendTimeout))
	WriteReply(c, s.h(s.ctx, m))
}

// Send forwards m to the running instance and returns its reply, or
// ErrNotRunning when there is none. A busy instance is asked again, with a
// growing pause, until SendTimeout (it had not read the request, so
// nothing happens twice); then the error wraps ErrBusy. An instance that
// accepts but does not answer gives an error wrapping ErrNoAnswer that says
// whether it timed out or hung up.
func Send(ctx context.Context, m Message) (Reply, error) {
	if err := m.Validate(); err != nil {
		return Reply{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, SendTimeout)
	defer cancel()
	pause := 20 * time.Millisecond
	for {
		rep, err := sendOnce(ctx, m)
		if err != nil || rep.Error != BusyReply {
			return rep, err
		}
		select {
		case <-ctx.Done():
			return Reply{}, ErrBusy
		case <-time.After(pause + time.Duration(rand.Int64N(int64(pause)))):
		}
		pause = min(2*pause, 500*time.Millisecond)
	}
}

// Running reports whether an instance listens in this session, without
// asking it to do anything. An instance that answers at all runs, even one
// too old to know the question.
func Running(ctx context.Context) (bool, error) {
	_, err := Send(ctx, Message{Op: OpPing})
	if errors.Is(err, ErrNotRunning) {
		return false, nil
	}
	if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNoAnswer) && !errors.Is(err, ErrBusy) {
		return false, err
	}
	return true, nil
}
