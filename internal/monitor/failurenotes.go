package monitor

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/notify/compose"
	"github.com/traycheck/traycheck/internal/offer"
	"github.com/traycheck/traycheck/internal/trigger"
)

// FailureNotes is the sink that tells the user about a VPN client's failure
// that a held resource explains: "VPN 'work' failed (EADDRINUSE): udp/1194
// is held by socat (PID 4711)", the client's own line quoted, and the
// finding's buttons. The note is tagged with the resource, so a client
// retrying every few seconds updates one note in place, and the tray's
// answer path (the ledger, the tag) handles its buttons. A connected event
// of the same connection, or a later check finding the resource free,
// withdraws it. A failure with nothing held (authentication, a dead
// server) is logged, never shown: it is not a conflict.
type FailureNotes struct {
	notifier notify.Notifier
	offers   *offer.Ledger
	log      *slog.Logger
	reports  chan Report

	shown  map[string]string // owned by Run: tag → the connection whose failure it shows
	titles map[string]string // owned by Run: tag → the title on screen
}

// NewFailureNotes returns the sink; run its Run on a goroutine of its own.
// offers may be nil (notes without buttons).
func NewFailureNotes(n notify.Notifier, offers *offer.Ledger, log *slog.Logger) *FailureNotes {
	if log == nil {
		log = slog.Default()
	}
	return &FailureNotes{notifier: n, offers: offers, log: log, reports: make(chan Report, 16),
		shown: map[string]string{}, titles: map[string]string{}}
}

// Checking implements Sink.
func (s *FailureNotes) Checking(Trigger) {}

// Result implements Sink; it only queues the report.
func (s *FailureNotes) Result(r Report) {
	select {
	case s.reports <- r:
	default:
		s.log.Warn("failure notes are behind; a report was skipped", "trigger", r.Trigger.Kind)
	}
}

// Run shows and withdraws notes until ctx ends.
func (s *FailureNotes) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case r := <-s.reports:
			s.handle(ctx, r)
		}
	}
}

func (s *FailureNotes) handle(ctx context.Context, r Report) {
	for _, fo := range r.Failures {
		ev := fo.Event
		switch ev.Kind {
		case trigger.Connected:
			for tag, conn := range s.shown {
				if conn == ev.Name() {
					s.withdraw(ctx, tag, fmt.Sprintf("VPN '%s' is back", compose.Clean(conn, 60)))
				}
			}
		case trigger.Failed:
			held := fo.Held()
			if len(held) == 0 {
				s.log.Info("VPN failure with nothing held: not a conflict, no notification",
					"connection", ev.Name(), "source", ev.Source, "code", ev.Code, "line", ev.Line)
				continue
			}
			s.show(ctx, ev, held[0])
		}
	}
	// A later check that finds the resource free ends the story too.
	for _, f := range r.Findings {
		if _, ok := s.shown[f.Resource.String()]; ok && !f.NeedsAttention() {
			// Free says nothing of the VPN: it may still be down.
			s.withdraw(ctx, f.Resource.String(), fmt.Sprintf("VPN '%s': %s is no longer in conflict",
				compose.Clean(s.shown[f.Resource.String()], 60), f.Resource))
		}
	}
}

// Title is the failure note's title: the connection, the client's code, and
// who holds what.
func Title(ev trigger.Event, f diagnose.Finding) string {
	what := "VPN"
	if ev.Source == "rasclient" {
		what = "Connection"
	}
	code := ""
	if ev.Code != "" {
		code = " (" + compose.Clean(ev.Code, 40) + ")"
	}
	return fmt.Sprintf("%s '%s' failed%s: %s", what, compose.Clean(ev.Name(), 60), code, compose.Title(f))
}

func (s *FailureNotes) show(ctx context.Context, ev trigger.Event, f diagnose.Finding) {
	tok := ""
	if s.offers != nil {
		h, _ := f.ActHolder()
		tok = s.offers.Issue(offer.Offer{Resource: f.Resource, Actions: f.Actions, PID: h.PID})
	}
	n := compose.Note(f, tok)
	n.Title = Title(ev, f)
	if _, inPlace := s.notifier.(notify.Withdrawer); !inPlace && s.titles[n.Tag] == n.Title {
		// A notifier that cannot update a note in place (Windows toasts
		// through go-toast have no tag) would stack one toast per retry:
		// the one on screen already says this.
		if s.offers != nil {
			s.offers.Revoke(tok)
		}
		return
	}
	if ev.Line != "" {
		n.Body = "“" + compose.Clean(ev.Line, 200) + "”\n" + n.Body
	}
	n.Urgent = true
	// The one note that may pass Do Not Disturb: the user's VPN failed just
	// now, and something holds what it needs.
	n.Kind, n.Critical = notify.KindConflict, true
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.notifier.Show(ctx, n); err != nil {
		s.log.Warn("failure notification failed", "connection", ev.Name(), "err", err)
		if s.offers != nil {
			s.offers.Revoke(tok)
		}
		return
	}
	s.shown[n.Tag] = ev.Name()
	s.titles[n.Tag] = n.Title
	s.log.Info("VPN failure: a held resource explains it", "connection", ev.Name(), "source", ev.Source,
		"code", ev.Code, "line", ev.Line, "resource", n.Tag, "title", n.Title)
}

// withdraw takes the note tagged tag off the screen; over is what ended
// it, the title of the note that replaces it where a note cannot be
// withdrawn.
func (s *FailureNotes) withdraw(ctx context.Context, tag, over string) {
	conn := s.shown[tag]
	delete(s.shown, tag)
	delete(s.titles, tag)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var err error
	if w, ok := s.notifier.(notify.Withdrawer); ok {
		err = w.Withdraw(ctx, tag)
	} else {
		// Without a withdraw, the same tag replaces the conflict note with
		// one that offers nothing.
		err = s.notifier.Show(ctx, notify.Note{Tag: tag, Kind: notify.KindResult, Title: over})
	}
	if err != nil {
		s.log.Warn("withdrawing the failure notification", "tag", tag, "err", err)
		return
	}
	s.log.Info("failure notification withdrawn", "connection", conn, "why", over)
}
