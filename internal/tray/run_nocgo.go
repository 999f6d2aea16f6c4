//go:build darwin && !cgo

package tray

import (
	"context"
	"fmt"
)

// Run cannot show an icon: systray's macOS backend needs cgo. The caller
// falls back to the console mode.
func Run(ctx context.Context, c *Controller, hostRunning bool) error {
	return fmt.Errorf("%w: this build has no cgo, which the macOS menu bar needs", ErrNoDesktop)
}
