package trigger

import (
	"context"
	"errors"
	"log/slog"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// EventFeed is a subscription to the Windows Application log's RasClient
// events: the true edge (wevtapi's EvtSubscribe on Windows; recorded event
// XML in tests; Wine has no event log to subscribe to).
type EventFeed interface {
	// Next blocks until events arrive and returns each one's XML
	// (EvtRender, EvtRenderEventXml); an error ends the feed.
	Next(ctx context.Context) ([][]byte, error)
	Close() error
}

// RasClient turns the RasClient events of a dial (20221/20222 naming the
// profile, device and port, then 20227 or 20220 with the error code) into
// failure events for the connection's phone-book entry: "Connection 'Work'
// failed (633)" with COM3 to check.
type RasClient struct {
	// Subscribe opens the feed; nil means the OS's (Windows only).
	Subscribe func(ctx context.Context) (EventFeed, error)
	// Phonebook maps a connection name to its entry's resources
	// (discover.PhonebookEntry over discover.DefaultSources().Phonebooks).
	Phonebook func(name string) ([]vpnport.Resource, bool)
	Log       *slog.Logger
}

// Name implements Source.
func (r *RasClient) Name() string { return "rasclient" }

// Start implements Source.
func (r *RasClient) Start(ctx context.Context) (<-chan Event, error) {
	sub := r.Subscribe
	if sub == nil {
		sub = subscribeRas
	}
	feed, err := sub(ctx)
	if err != nil {
		return nil, err
	}
	log := r.Log
	if log == nil {
		log = slog.Default()
	}
	out := make(chan Event, 8)
	go func() {
		defer close(out)
		defer feed.Close()
		c := &RasCorrelator{Phonebook: r.Phonebook}
		for {
			batch, err := feed.Next(ctx)
			if err != nil {
				if ctx.Err() == nil {
					log.Warn("RasClient events: the subscription ended", "err", err)
				}
				return
			}
			for _, b := range batch {
				rec, err := DecodeRasEvent(b)
				if err != nil {
					if !errors.Is(err, errNotRas) {
						log.Debug("RasClient event skipped", "err", err)
					}
					continue
				}
				if ev, ok := c.Add(rec); ok {
					select {
					case out <- ev:
					case <-ctx.Done():
						return
					}
				}
			}
		}
	}()
	return out, nil
}
