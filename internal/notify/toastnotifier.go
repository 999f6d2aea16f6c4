package notify

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
)

// toastMsg is one notification as go-toast receives it, every field already
// sanitised (toastText) or checked (toastSafeAttr).
type toastMsg struct {
	AppID   string
	Title   string
	Message string
	Icon    string
	Long    bool
	Actions []toastButton
}

type toastButton struct {
	Label     string
	Arguments string // an action URI, XML-escaped for the attribute
}

// Toast is the Windows notifier, and only a transport: each button is a
// protocol activation of a traycheck: action URI carrying the note's token;
// Windows starts traycheck with that URI, and the single-instance code
// forwards it to the running instance, whose offer ledger judges it. So
// Responses never delivers, and toasts report no dismissals.
//
// The OS-neutral part lives here so it is tested everywhere; notify_windows.go
// supplies push (go-toast) and registers the app and the URL scheme.
type Toast struct {
	appID string
	icon  string
	push  func(toastMsg) error
	log   *slog.Logger

	mu    sync.Mutex
	queue chan toastMsg
	ch    chan Response
	done  bool
}

// toastQueue bounds notes waiting for PowerShell: a burst beyond it fails
// Show rather than spawning a pile of PowerShell processes.
const toastQueue = 8

func newToast(appID, icon string, push func(toastMsg) error, log *slog.Logger) *Toast {
	if !toastSafeAttr(icon) {
		log.Warn("toast icon path has characters go-toast cannot carry; showing no icon", "path", icon)
		icon = ""
	}
	t := &Toast{appID: appID, icon: icon, push: push, log: log,
		queue: make(chan toastMsg, toastQueue), ch: make(chan Response)}
	go t.run()
	return t
}

// run shows queued notes one at a time, off the caller's goroutine: each
// go-toast Push starts PowerShell and takes a second or more.
func (t *Toast) run() {
	for m := range t.queue {
		if err := t.push(m); err != nil {
			t.log.Warn("showing toast notification", "title", m.Title, "err", err)
		}
	}
}

// Show queues n and returns at once. The note's Tag and Token must be valid
// action-URI values (see BuildActionURI) when it has buttons.
func (t *Toast) Show(_ context.Context, n Note) error {
	m := toastMsg{
		AppID:   t.appID,
		Title:   toastText(n.Title, toastMaxTitle, false),
		Message: toastText(n.Body, toastMaxBody, true),
		Icon:    t.icon,
		Long:    n.Urgent,
	}
	for _, b := range n.Buttons {
		uri, err := BuildActionURI(ActionURI{Action: b.Key, Tag: n.Tag, Token: n.Token})
		if err != nil {
			return fmt.Errorf("toast button %q: %w", b.Key, err)
		}
		arg, ok := toastAttrURI(uri)
		if !ok {
			return fmt.Errorf("toast button %q: action URI %q not safe for the toast script", b.Key, uri)
		}
		m.Actions = append(m.Actions, toastButton{Label: toastText(b.Label, toastMaxLabel, false), Arguments: arg})
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return fmt.Errorf("toast notifier: %w", errClosed)
	}
	select {
	case t.queue <- m:
	default:
		return fmt.Errorf("toast notifier: %d notes already waiting to be shown", toastQueue)
	}
	return nil
}

// Responses never delivers: a toast's answers arrive as forwarded URIs.
func (t *Toast) Responses() <-chan Response { return t.ch }

// Close stops delivery. A toast being shown finishes in the background.
func (t *Toast) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.done {
		t.done = true
		close(t.queue)
		close(t.ch)
	}
	return nil
}
