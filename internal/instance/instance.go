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

// maxConns bounds the connections served at once; more are closed at once.
const maxConns = 8

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
	sem    chan struct{}
	wg     sync.WaitGroup
}

// Listen opens the IPC endpoint for the instance that holds l and serves it
// until Close.
func (l *Lock) Listen(h Handler, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.Default()
	}
	ln, err := listen()
	if err != nil {
		return nil, fmt.Errorf("opening the instance socket: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{ln: ln, h: h, log: log.With("component", "instance"),
		ctx: ctx, cancel: cancel, sem: make(chan struct{}, maxConns)}
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
		select {
		case s.sem <- struct{}{}:
		default:
			s.log.Warn("too many instance connections; dropping one")
			c.Close()
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() { <-s.sem }()
			s.handle(c)
		}()
	}
}

func (s *Server) handle(c conn) {
	defer c.Close()
	if err := s.ln.peer(c); err != nil {
		s.log.Warn("rejected a connection from another user", "err", err)
		return
	}
	c.SetDeadline(time.Now().Add(connTimeout))
	m, err := ReadMessage(c)
	if err != nil {
		s.log.Warn("rejected a malformed request", "err", err)
		WriteReply(c, Reply{Error: "malformed request"})
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
// ErrNotRunning when there is none.
func Send(ctx context.Context, m Message) (Reply, error) {
	if err := m.Validate(); err != nil {
		return Reply{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, SendTimeout)
	defer cancel()
	c, err := dial(ctx)
	if err != nil {
		return Reply{}, err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	if err := WriteMessage(c, m); err != nil {
		return Reply{}, fmt.Errorf("sending to the running instance: %w", err)
	}
	rep, err := ReadReply(c)
	if err != nil {
		return Reply{}, fmt.Errorf("reading the running instance's reply: %w", err)
	}
	return rep, nil
}

// Running reports whether an instance listens in this session, without
// asking it to do anything. An instance that answers at all runs, even one
// too old to know the question.
func Running(ctx context.Context) (bool, error) {
	_, err := Send(ctx, Message{Op: OpPing})
	if errors.Is(err, ErrNotRunning) {
		return false, nil
	}
	if err != nil && !errors.Is(err, ErrMalformed) {
		return false, err
	}
	return true, nil
}
