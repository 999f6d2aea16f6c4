package notify

import "context"

// Withdrawer is a Notifier that can take a note off the screen: the
// failure a note reported is over (the VPN connected), and a note left
// behind would offer buttons for a conflict that is gone. Show already
// updates a note in place (same Tag: replaces_id on freedesktop, the toast
// tag on Windows); Withdraw is its end.
type Withdrawer interface {
	// Withdraw closes the note shown under tag; no note is not an error.
	Withdraw(ctx context.Context, tag string) error
}
