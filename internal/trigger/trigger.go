// Package trigger listens to the VPN clients' own announcements: the line
// OpenVPN writes to the journal when its bind fails, NetworkManager's
// VpnStateChanged, the RasClient event with error 633. Each announcement
// becomes an Event, and the watch loop checks the failed connection's
// resources at once instead of waiting for its interval: the user learns who
// holds the port while the failure is still on screen.
//
// Every source is optional and detected at start; a source that cannot run
// here says why (Status), and the others carry on.
package trigger

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// Kind says whether a connection failed or came up.
type Kind string

// The event kinds.
const (
	// Failed: the client reports that the connection failed or went down
	// with an error.
	Failed Kind = "failed"
	// Connected: the client reports the connection up; a failure note for
	// it is stale.
	Connected Kind = "connected"
)

// Event is one announcement of a VPN client.
type Event struct {
	Kind Kind
	// Source is the source's name ("journald", "networkmanager",
	// "rasclient", "logfile").
	Source string
	// Connection is the connection as the client names it (the NM
	// connection id, the phone-book entry, the systemd unit); "" when the
	// client does not say.
	Connection string
	// Program is the client program ("openvpn", "charon", "rasdial").
	Program string
	// Code is the client's error code or name ("633", "EADDRINUSE",
	// "connect-timeout"); "" when it gives none.
	Code string
	// Line is the client's own error line, as it wrote it: quote it, after
	// escaping it for the place it is shown (safetext).
	Line string
	// Resources are the ports and devices the event names or the
	// connection's configuration uses; the loop checks exactly these.
	Resources []vpnport.Resource
	// Contended says the client's own text names the resource it failed
	// to get, so whoever holds it is not that client.
	Contended bool
	At        time.Time
}

// Name is the connection's name for the user: the connection, or else the
// program, or else "the VPN".
func (e Event) Name() string {
	switch {
	case e.Connection != "":
		return e.Connection
	case e.Program != "":
		return e.Program
	}
	return "the VPN"
}

// Source is one place announcements come from.
type Source interface {
	// Name is the source's policy name: triggers.<Name> turns it off.
	Name() string
	// Start begins listening and returns the events until ctx ends, when
	// the channel is closed. An error means the source cannot run here
	// (the reason is shown by `config show`); a source that runs but loses
	// its feed restarts it by itself.
	Start(ctx context.Context) (<-chan Event, error)
}

// Status is what became of one source at start.
type Status struct {
	Name   string
	Active bool
	// Why is the reason the source is off, or a note on how it runs.
	Why string
}

// Run starts every source and merges their events into one channel, closed
// when ctx ends and every source has stopped. A source that fails to start
// is logged and left out; its Status says why.
func Run(ctx context.Context, log *slog.Logger, sources ...Source) (<-chan Event, []Status) {
	if log == nil {
		log = slog.Default()
	}
	out := make(chan Event, 16)
	var wg sync.WaitGroup
	var st []Status
	for _, s := range sources {
		ch, err := s.Start(ctx)
		if err != nil {
			log.Debug("failure events: source off", "source", s.Name(), "why", err)
			st = append(st, Status{Name: s.Name(), Why: err.Error()})
			continue
		}
		st = append(st, Status{Name: s.Name(), Active: true})
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ev := range ch {
				select {
				case out <- ev:
				case <-ctx.Done():
					// Drain so the source can close its channel.
					for range ch {
					}
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out, st
}
