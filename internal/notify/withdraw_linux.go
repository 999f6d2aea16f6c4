//go:build linux

package notify

import (
	"context"
	"fmt"
)

// Withdraw implements Withdrawer with CloseNotification. The daemon answers
// with NotificationClosed (reason 3, closed by a call), which handle()
// forgets without reporting a dismissal.
func (n *freedesktop) Withdraw(ctx context.Context, tag string) error {
	n.mu.Lock()
	id, ok := n.byTag[tag]
	if ok {
		delete(n.byTag, tag)
	}
	n.mu.Unlock()
	if !ok {
		return nil
	}
	err := n.conn.Object(fdoName, fdoPath).CallWithContext(ctx, fdoName+".CloseNotification", 0, id).Err
	if err != nil {
		return fmt.Errorf("withdraw %q: %w", tag, err)
	}
	return nil
}
