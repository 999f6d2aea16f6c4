package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// errClosedReconnecting is Show's error after Close.
var errClosedReconnecting = errors.New("notify: closed")

// liveness is implemented by notifiers whose connection can end under them
// (the freedesktop one: its session bus restarted).
type liveness interface{ alive() bool }

// Reconnecting is a Notifier that connects when it needs to: at start, and
// again on the next Show after its connection ended (the session bus
// restarted, or the desktop had no notification service yet). The new
// connection brings its own ActionInvoked/NotificationClosed subscriptions;
// their responses arrive on the one Responses channel.
type Reconnecting struct {
	ctx  context.Context
	o    Options
	out  chan Response
	done chan struct{}
	once sync.Once
	wg   sync.WaitGroup

	mu  sync.Mutex
	cur Notifier
}

// NewReconnecting connects as New does; when that fails it logs why and
// tries again on each Show. It never fails itself.
func NewReconnecting(ctx context.Context, o Options) *Reconnecting {
	r := &Reconnecting{ctx: context.WithoutCancel(ctx), o: o, out: make(chan Response, 16), done: make(chan struct{})}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.connect(ctx); err != nil {
		o.logger().Warn("notifications unavailable for now; traycheck tries again with the next note, and actions stay in the tray menu", "err", err)
	}
	return r
}

// connect replaces the current notifier by a new connection. mu is held.
func (r *Reconnecting) connect(ctx context.Context) (Notifier, error) {
	if r.cur != nil {
		_ = r.cur.Close() // ends its forwarder
		r.cur = nil
	}
	n, err := New(ctx, r.o)
	if err != nil {
		return nil, err
	}
	r.cur = n
	r.wg.Add(1)
	go r.forward(n)
	return n, nil
}

func (r *Reconnecting) forward(n Notifier) {
	defer r.wg.Done()
	for resp := range n.Responses() {
		select {
		case r.out <- resp:
		case <-r.done:
			return
		}
	}
}

// Connected reports whether a notification connection is up now.
func (r *Reconnecting) Connected() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cur != nil && isAlive(r.cur)
}

func isAlive(n Notifier) bool {
	l, ok := n.(liveness)
	return !ok || l.alive()
}

// Show implements Notifier: on a connection that ended, it connects anew
// first; a Show that fails because the connection ended under it is tried
// once more on a new one.
func (r *Reconnecting) Show(ctx context.Context, n Note) error {
	select {
	case <-r.done:
		return fmt.Errorf("show %q: %w", n.Tag, errClosedReconnecting)
	default:
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	cur := r.cur
	if cur == nil || !isAlive(cur) {
		var err error
		if cur, err = r.connect(ctx); err != nil {
			return fmt.Errorf("show %q: %w", n.Tag, err)
		}
		r.o.logger().Info("connected to the notification service again")
	}
	err := cur.Show(ctx, n)
	if err != nil && !isAlive(cur) {
		if cur, err = r.connect(ctx); err != nil {
			return fmt.Errorf("show %q: %w", n.Tag, err)
		}
		err = cur.Show(ctx, n)
	}
	return err
}

// Responses implements Notifier.
func (r *Reconnecting) Responses() <-chan Response { return r.out }

// Close implements Notifier.
func (r *Reconnecting) Close() error {
	var err error
	r.once.Do(func() {
		close(r.done)
		r.mu.Lock()
		if r.cur != nil {
			err = r.cur.Close()
			r.cur = nil
		}
		r.mu.Unlock()
		r.wg.Wait()
		close(r.out)
	})
	return err
}
