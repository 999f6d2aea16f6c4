// Package notify shows desktop notifications with action buttons and reports
// which button the user clicked. One small interface, per-OS implementations:
// freedesktop notifications over D-Bus on Linux, toast notifications on
// Windows, button-less notifications on macOS (actions live in the tray
// menu), and a console notifier that prints lines.
package notify

import (
	"context"
	"errors"
)

// ErrUnavailable is returned by New when the OS has no notification service
// reachable right now (no session bus, no daemon); callers fall back to the
// console notifier.
var ErrUnavailable = errors.New("notify: no notification service available")

// Button is one action offered on a note. Key is the action id of
// `traycheck check --json` ("retry", "end-process", ...), used as the
// notification action key so the response maps straight back to an action.
type Button struct {
	Key   string
	Label string
}

// Note is one notification. Notes with the same Tag replace each other rather
// than stacking: use the resource ("udp/1194") as the tag.
type Note struct {
	Tag     string
	Title   string
	Body    string
	Buttons []Button
	// Token is the note's token from the offer ledger, carried back with
	// the answer; the ledger, not the notifier, decides whether it answers
	// what was offered (action URIs on Windows can be opened by anyone).
	Token string
	// Urgent asks for a note that stays until handled (a conflict, a
	// question): "resident" where the daemon keeps notes, a long toast on
	// Windows. It does not raise the urgency.
	Urgent bool
	// Kind says what the note is; it picks the desktop's category.
	Kind Kind
	// Critical is for the one case that may pass Do Not Disturb: the user's
	// VPN is failing now (a configured client is down and its resource is
	// held). Never for results or prompts.
	Critical bool
}

// Kind is what a note is about.
type Kind int

// The kinds of note.
const (
	// KindInfo is anything else (no tray host, About).
	KindInfo Kind = iota
	// KindConflict is a resource the VPN needs that something else holds.
	KindConflict
	// KindResult says what became of an action: done, refused or failed.
	KindResult
	// KindPrompt asks for a confirmation.
	KindPrompt
)

// Category is the freedesktop category of a note of kind k: network.error
// for conflicts, network for results and questions about them.
func (k Kind) Category() string {
	switch k {
	case KindConflict:
		return "network.error"
	case KindResult, KindPrompt:
		return "network"
	}
	return ""
}

// Response is a user's answer to a note: the button clicked, or Dismissed.
type Response struct {
	Tag       string
	Action    string // a Button.Key; "" when Dismissed
	Token     string
	Dismissed bool
}

// Notifier shows notes and reports the user's responses.
type Notifier interface {
	// Show displays n, replacing any earlier note with the same Tag. It must
	// not block on the user.
	Show(ctx context.Context, n Note) error
	// Responses delivers clicked actions and dismissals as the desktop
	// reported them, with the note's tag and token (a transport: the caller
	// redeems them against its ledger). It is closed by Close.
	Responses() <-chan Response
	// Close withdraws nothing but releases the connection and stops delivery.
	Close() error
}
