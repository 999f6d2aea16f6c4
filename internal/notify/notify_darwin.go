package notify

import (
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// macOS notifications through osascript's `display notification`: no
// buttons (the tray menu carries the actions), so Responses never delivers.
// The title and body travel as osascript's argv to an `on run argv` script,
// never spliced into AppleScript source, so no string needs escaping.

func init() { newOS = newMacNotifier }

const macScript = `on run argv
display notification (item 2 of argv) with title (item 1 of argv)
end run`

type macNotifier struct {
	log  *slog.Logger
	mu   sync.Mutex
	ch   chan Response
	done bool
}

func newMacNotifier(_ context.Context, o Options) (Notifier, error) {
	if _, err := exec.LookPath("osascript"); err != nil {
		return nil, fmt.Errorf("osascript: %w", ErrUnavailable)
	}
	return &macNotifier{log: o.logger(), ch: make(chan Response)}, nil
}

// macArgv is osascript's argv for n. Control characters are dropped: they
// are not text and Notification Center shows them as boxes.
func macArgv(n Note) []string {
	clean := func(s string, max int) string {
		s = strings.Map(func(r rune) rune {
			if r == '\n' || r == '\t' {
				return ' '
			}
			if r < 0x20 || (r >= 0x7f && r < 0xa0) {
				return -1
			}
			return r
		}, s)
		if r := []rune(s); len(r) > max {
			s = string(r[:max]) + "…"
		}
		return s
	}
	return []string{"-e", macScript, "--", clean(n.Title, toastMaxTitle), clean(n.Body, toastMaxBody)}
}

func (m *macNotifier) Show(_ context.Context, n Note) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.done {
		return fmt.Errorf("macOS notifier: %w", errClosed)
	}
	args := macArgv(n)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if out, err := exec.CommandContext(ctx, "osascript", args...).CombinedOutput(); err != nil {
			m.log.Warn("showing notification", "err", err, "output", string(out))
		}
	}()
	return nil
}

func (m *macNotifier) Responses() <-chan Response { return m.ch }

func (m *macNotifier) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.done {
		m.done = true
		close(m.ch)
	}
	return nil
}
