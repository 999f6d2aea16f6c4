// Package lifecycle is how a traycheck process ends and starts afresh:
// Ctrl-C and SIGTERM cancel a context, a command stuck past a grace period
// is ended with the shell's code for the signal, and the tray restarts
// itself in place when the session bus comes back after it went away. It
// knows no subcommand and no tray; callers pass what they need.
package lifecycle

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// ExitOnSignal returns a context that Ctrl-C or SIGTERM cancels, so every
// command can stop cleanly. A command that has not returned grace after the
// signal (blocked in a syscall that a context never reaches: an open of a
// FIFO, a write to a full pipe) is ended with the shell's code for the
// signal, 128+N; so is any command at a second signal. A stuck syscall can
// thus never keep traycheck from exiting.
func ExitOnSignal(parent context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	sigs := make(chan os.Signal, 2)
	returned := make(chan struct{})
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		var sig os.Signal
		select {
		case sig = <-sigs:
		case <-returned:
			return
		}
		cancel()
		select {
		case <-sigs:
		case <-time.After(grace):
		case <-returned:
			return // the command ended by itself; main exits with its code
		}
		fmt.Fprintf(os.Stderr, "traycheck: ended by %v\n", sig)
		code := 128 + 15
		if s, ok := sig.(syscall.Signal); ok {
			code = 128 + int(s)
		}
		os.Exit(code)
	}()
	var once sync.Once
	return ctx, func() { once.Do(func() { signal.Stop(sigs); close(returned); cancel() }) }
}

// BusReturn is how long the tray waits for a restarted session bus.
const BusReturn = 10 * time.Second

// RestartAfterBusLoss runs when the session bus went away under the tray.
// The icon lived on the old connection and systray cannot reconnect it, so
// once the bus answers again (ready returns nil) traycheck starts afresh in
// this same process (exec: the instance lock and sockets close with it),
// which registers a new icon on the new bus. A bus that stays away means
// the session ended: it returns nil to exit cleanly, with a log line either
// way. A restart that fails returns its error.
func RestartAfterBusLoss(ctx context.Context, log *slog.Logger, ready func(context.Context) error) error {
	deadline := time.Now().Add(BusReturn)
	for {
		if err := ready(ctx); err == nil {
			break
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			log.Info("the session bus did not come back; exiting (the session has probably ended)", "waited", BusReturn)
			return nil
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
	log.Info("the session bus is back; restarting the tray on it")
	err := reexec()
	log.Error("restarting the tray failed; exiting", "err", err)
	return err
}
