package instance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// The server's connection slots, and what a client hears when its request
// was not served: the defences against silent clients and the words for
// timeouts, hang-ups and resets (issue 17).

// admit gives c a slot, evicting the oldest connection that has waited
// evictAfter for its request when all are taken; nil when none can go.
func (s *Server) admit(c conn) *slot {
	s.mu.Lock()
	defer s.mu.Unlock()
	live := 0
	var oldest *slot
	for sl := range s.slots {
		if sl.evicted {
			continue // on its way out
		}
		live++
		if sl.reading && time.Since(sl.since) >= evictAfter && (oldest == nil || sl.since.Before(oldest.since)) {
			oldest = sl
		}
	}
	if live >= maxConns {
		if oldest == nil {
			return nil
		}
		oldest.evicted = true
		stopReads(oldest.c)
	}
	sl := &slot{c: c}
	s.slots[sl] = struct{}{}
	return sl
}

func (s *Server) release(sl *slot) {
	s.mu.Lock()
	delete(s.slots, sl)
	s.mu.Unlock()
}

// stopReads makes c's pending read fail now, leaving writes alone so the
// client can still be told why.
func stopReads(c conn) {
	if rc, ok := c.(interface{ SetReadDeadline(time.Time) error }); ok {
		rc.SetReadDeadline(pastDeadline)
		return
	}
	c.Close()
}

// readFailed logs (and, where the client may still listen, answers) a
// request that could not be read, saying what happened: a silent client
// evicted or timed out, one that hung up, the server closing, or a request
// that is malformed.
func (s *Server) readFailed(c conn, err error, evicted bool) {
	switch {
	case errors.Is(err, ErrMalformed):
		s.log.Warn("rejected a malformed request", "err", err)
		tell(c, "malformed request")
	case evicted:
		s.log.Warn("dropped a client that sent nothing, to serve a newer one")
		tell(c, BusyReply)
	case errors.Is(err, errShutdown):
		s.log.Debug("closing: dropped a client that had not sent its request")
	case errors.Is(err, os.ErrDeadlineExceeded):
		s.log.Warn("a client sent no request in time; dropped it", "timeout", connTimeout)
		tell(c, "timed out waiting for the request")
	default:
		s.log.Warn("a client hung up before sending its request", "err", err)
	}
}

// tell writes an error reply to a client whose request was not read, with
// a write deadline of its own (the read's has passed).
func tell(c conn, msg string) {
	c.SetDeadline(time.Now().Add(time.Second))
	WriteReply(c, Reply{Error: msg})
}

func sendOnce(ctx context.Context, m Message) (Reply, error) {
	c, err := dial(ctx)
	if err != nil {
		return Reply{}, err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	if err := WriteMessage(c, m); err != nil {
		// A busy server answers and hangs up before reading: its reply may
		// be waiting although the write failed.
		if rep, rerr := ReadReply(c); rerr == nil {
			return rep, nil
		}
		return Reply{}, noAnswer("sending to the running instance", err)
	}
	rep, err := ReadReply(c)
	if err != nil {
		if errors.Is(err, ErrMalformed) {
			return Reply{}, fmt.Errorf("reading the running instance's reply: %w", err)
		}
		return Reply{}, noAnswer("reading the running instance's reply", err)
	}
	return rep, nil
}

// noAnswer says what became of a connection that gave no reply.
func noAnswer(doing string, err error) error {
	what := "it closed the connection"
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		what = "it did not answer in time"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		what = "it reset the connection"
	}
	return fmt.Errorf("%s: %s (%w): %w", doing, what, ErrNoAnswer, err)
}
