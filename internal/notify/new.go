package notify

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
)

// Options configure New.
type Options struct {
	// AppName is the application name the OS shows with each note.
	AppName string
	// DesktopEntry is the desktop file's name without ".desktop" (the
	// desktop lists and mutes notes per application by it); "" means
	// "traycheck".
	DesktopEntry string
	// Icon is the themed icon name, or an absolute path to an image, shown
	// with each note; "" means "traycheck".
	Icon string
	// Log receives diagnostics (a daemon without action buttons, dropped
	// forged signals); nil means slog.Default().
	Log *slog.Logger
}

func (o Options) logger() *slog.Logger {
	if o.Log != nil {
		return o.Log
	}
	return slog.Default()
}

func (o Options) appName() string {
	if o.AppName != "" {
		return o.AppName
	}
	return "traycheck"
}

func (o Options) desktopEntry() string {
	if o.DesktopEntry != "" {
		return o.DesktopEntry
	}
	return "traycheck"
}

func (o Options) icon() string {
	if o.Icon != "" {
		return o.Icon
	}
	return "traycheck"
}

// newOS is set by an OS file's init to that OS's desktop notifier; nil means
// this OS has none and New returns ErrUnavailable.
var newOS func(ctx context.Context, o Options) (Notifier, error)

// New connects to this OS's notification service. It returns an error
// wrapping ErrUnavailable when there is none reachable; the caller then uses
// NewConsole or None.
func New(ctx context.Context, o Options) (Notifier, error) {
	if newOS == nil {
		return nil, ErrUnavailable
	}
	return newOS(ctx, o)
}

// None is a notifier that shows nothing and never responds: for a tray whose
// menu carries the actions, or a test that does not care.
func None() Notifier { return &none{ch: make(chan Response)} }

type none struct {
	once sync.Once
	ch   chan Response
}

func (n *none) Show(context.Context, Note) error { return nil }
func (n *none) Responses() <-chan Response       { return n.ch }
func (n *none) Close() error {
	n.once.Do(func() { close(n.ch) })
	return nil
}

// Console prints each note as lines to a writer (a terminal, a log) and
// accepts answers through Deliver, which `traycheck action ID` and an
// interactive prompt call.
type Console struct {
	w    io.Writer
	mu   sync.Mutex
	tags map[string]Note // tag -> the note last shown for it
	ch   chan Response
	done bool
}

// NewConsole returns a console notifier writing to w.
func NewConsole(w io.Writer) *Console {
	return &Console{w: w, tags: map[string]Note{}, ch: make(chan Response, 8)}
}

// Show prints n: its title, body and the action ids that answer it.
func (c *Console) Show(_ context.Context, n Note) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return fmt.Errorf("console notifier: %w", errClosed)
	}
	c.tags[n.Tag] = n
	if _, err := fmt.Fprintf(c.w, "%s\n", n.Title); err != nil {
		return fmt.Errorf("console notifier: %w", err)
	}
	if n.Body != "" {
		fmt.Fprintf(c.w, "  %s\n", indent(n.Body))
	}
	for _, b := range n.Buttons {
		fmt.Fprintf(c.w, "  [%s] %s: traycheck action %s\n", n.Tag, b.Label, b.Key)
	}
	return nil
}

// Deliver answers the note last shown for tag with the action key. It is
// accepted only when key is one of that note's buttons; the response carries
// that note's token. It reports whether the answer was accepted.
func (c *Console) Deliver(tag, key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.tags[tag]
	if !ok || c.done || !hasButton(n, key) {
		return false
	}
	delete(c.tags, tag)
	select {
	case c.ch <- Response{Tag: tag, Action: key, Token: n.Token}:
		return true
	default:
		// Nobody is reading: an answer queued behind eight others is stale.
		return false
	}
}

// Responses delivers answers given through Deliver.
func (c *Console) Responses() <-chan Response { return c.ch }

// Close stops delivery.
func (c *Console) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.done {
		c.done = true
		close(c.ch)
	}
	return nil
}

func indent(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		out = append(out, s[i])
		if s[i] == '\n' {
			out = append(out, ' ', ' ')
		}
	}
	return string(out)
}

func hasButton(n Note, key string) bool {
	for _, b := range n.Buttons {
		if b.Key == key {
			return true
		}
	}
	return false
}
