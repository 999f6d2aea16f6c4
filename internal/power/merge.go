package power

import (
	"context"
	"sync"
	"time"
)

// Buffer sizes: a handful of events per sleep at most, so these only matter
// when a reader stalls for a long time.
const (
	inBuffer  = 32
	outBuffer = 16
)

// merge runs every source and forwards their events to one channel,
// dropping an event of the same kind as the last one forwarded within
// opts.DedupWindow (logind and the clock both see the same wake).
func merge(ctx context.Context, srcs []source, opts Options) <-chan Event {
	in := make(chan Event, inBuffer)
	out := make(chan Event, outBuffer)
	emit := func(e Event) {
		select {
		case in <- e:
		default:
			opts.Log.Warn("power: event dropped, merge is behind", "kind", e.Kind, "source", e.Source)
		}
	}
	var wg sync.WaitGroup
	for _, s := range srcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s(ctx, emit)
		}()
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	go func() {
		defer close(out)
		var d dedup
		forward := func(e Event) {
			if d.repeat(e, opts.DedupWindow) {
				opts.Log.Debug("power: repeat dropped", "kind", e.Kind, "source", e.Source)
				return
			}
			sendDropOldest(out, e)
		}
		for {
			select {
			case e := <-in:
				forward(e)
			case <-done:
				// Every source has stopped: pass on what they sent last.
				for {
					select {
					case e := <-in:
						forward(e)
					default:
						return
					}
				}
			}
		}
	}()
	return out
}

// sendDropOldest sends e on out, making room by discarding the oldest
// queued event when out is full. It never blocks: this goroutine is out's
// only sender, so after one receive there is room.
func sendDropOldest(out chan Event, e Event) {
	for {
		select {
		case out <- e:
			return
		default:
		}
		select {
		case <-out:
		default:
		}
	}
}

// dedup remembers the last forwarded event.
type dedup struct {
	last Event
	seen bool
}

// repeat reports whether e repeats the last forwarded event (same kind,
// within window) and, when it does not, remembers e.
func (d *dedup) repeat(e Event, window time.Duration) bool {
	if d.seen && e.Kind == d.last.Kind {
		gap := e.At.Sub(d.last.At)
		if gap < 0 {
			gap = -gap
		}
		if gap < window {
			return true
		}
	}
	d.last, d.seen = e, true
	return false
}
