//go:build !linux && (!darwin || cgo)

package tray

import "context"

// preflight: Windows always has a notification area; macOS's menu bar is
// always there (a build without cgo fails later, in Run).
func preflight(context.Context) (bool, error) { return true, nil }
