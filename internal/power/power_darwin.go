package power

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// darwinClock is CLOCK_MONOTONIC (which on macOS counts sleep) minus
// CLOCK_UPTIME_RAW (which does not): time asleep since boot.
type darwinClock struct{}

func (darwinClock) Asleep() (time.Duration, error) {
	// Uptime first: the gap between the reads then only adds, so the
	// result never goes below the true offset.
	var mono, up unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_UPTIME_RAW, &up); err != nil {
		return 0, fmt.Errorf("reading CLOCK_UPTIME_RAW: %w", err)
	}
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &mono); err != nil {
		return 0, fmt.Errorf("reading CLOCK_MONOTONIC: %w", err)
	}
	return time.Duration(mono.Nano() - up.Nano()), nil
}

func osClock() SleepClock { return darwinClock{} }

func osSources(opts Options) []source { return []source{waketimeSource(opts)} }

// waketimeSource polls kern.waketime, which the kernel sets on every wake;
// it needs no cgo, unlike IORegisterForSystemPower. kern.sleeptime gives the
// start of the sleep that just ended.
func waketimeSource(opts Options) source {
	return func(ctx context.Context, emit func(Event)) {
		last, _ := unix.SysctlTimeval("kern.waketime")
		t := time.NewTicker(opts.PollInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			w, err := unix.SysctlTimeval("kern.waketime")
			if err != nil {
				opts.Log.Debug("power: kern.waketime unreadable", "err", err)
				continue
			}
			if last != nil && *w == *last {
				continue
			}
			first := last == nil
			last = w
			if first || w.Sec == 0 {
				continue // no earlier reading to compare with
			}
			wake := time.Unix(w.Unix())
			e := Event{Kind: Resume, At: wake, Source: "waketime"}
			if s, err := unix.SysctlTimeval("kern.sleeptime"); err == nil && s.Sec != 0 {
				if slept := wake.Sub(time.Unix(s.Unix())); slept > 0 {
					e.Slept = slept
				}
			}
			emit(e)
		}
	}
}
