package power

import (
	"context"
	"time"
)

// clockSource is the fallback that always runs: it polls a SleepClock and
// reports a resume whenever time-asleep grew by at least opts.MinSleep.
func clockSource(c SleepClock, opts Options) source {
	return func(ctx context.Context, emit func(Event)) {
		t := time.NewTicker(opts.PollInterval)
		defer t.Stop()
		pollClock(ctx, c, t.C, opts, emit)
	}
}

// pollClock reads c on every tick. It is separate from the ticker so tests
// drive it tick by tick with a fake clock.
func pollClock(ctx context.Context, c SleepClock, tick <-chan time.Time, opts Options, emit func(Event)) {
	last, err := c.Asleep()
	ok := err == nil
	if !ok {
		opts.Log.Warn("power: sleep clock unreadable", "err", err)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
		now, err := c.Asleep()
		if err != nil {
			// Keep the last good reading: a transient error must not turn
			// the next good one into a fake sleep, or hide a real one.
			opts.Log.Debug("power: sleep clock unreadable", "err", err)
			continue
		}
		if !ok {
			last, ok = now, true
			continue
		}
		grew := now - last
		if grew < 0 {
			// A clock that went backwards is a broken clock, not a sleep.
			last = now
			continue
		}
		if grew >= opts.MinSleep {
			emit(Event{Kind: Resume, At: opts.Now(), Slept: grew, Source: "clock"})
			last = now
		}
		// Below MinSleep, last stays: the offset is constant while awake
		// and the noise of two separate clock reads is bounded, not
		// cumulative, so it never adds up to a fake sleep.
	}
}
