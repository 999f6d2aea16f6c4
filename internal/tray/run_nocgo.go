//go:build darwin && !cgo

package tray

import (
	"context"
	"fmt"
)

// errNoCgo explains the fallback: systray's macOS backend needs cgo.
var errNoCgo = fmt.Errorf("%w: this build has no cgo, which the macOS menu bar needs", ErrNoDesktop)

// preflight sends the caller to the console mode before anything starts.
func preflight(context.Context) (bool, error) { return false, errNoCgo }

// Run cannot show an icon in this build; Preflight already said so.
func Run(ctx context.Context, c *Controller, hostRunning bool) error { return errNoCgo }
