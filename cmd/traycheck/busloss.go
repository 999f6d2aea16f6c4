package main

import (
	"context"
	"github.com/traycheck/traycheck/internal/cli"
	"time"

	"github.com/traycheck/traycheck/internal/tray"
)

// busReturn is how long the tray waits for a restarted session bus.
const busReturn = 10 * time.Second

// afterBusLoss runs when the session bus went away under the tray. The
// icon lived on the old connection and systray cannot reconnect it, so
// once the bus answers again traycheck starts afresh in this same process
// (exec: the instance lock and sockets close with it), which registers a
// new icon on the new bus. A bus that stays away means the session ended:
// exit cleanly, with a log line either way.
func afterBusLoss(ctx context.Context, e *env) int {
	deadline := time.Now().Add(busReturn)
	for {
		if _, err := tray.Preflight(ctx); err == nil {
			break
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			e.log.Info("the session bus did not come back; exiting (the session has probably ended)", "waited", busReturn)
			return cli.ExitOK
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
	e.log.Info("the session bus is back; restarting the tray on it")
	err := reexec()
	e.log.Error("restarting the tray failed; exiting", "err", err)
	return cli.ExitProbe
}
