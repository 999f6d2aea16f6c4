//go:build !linux && (!darwin || cgo)

package tray

import "context"

// watchBus has nothing to watch: Windows and macOS trays do not ride on a
// bus that can restart under them.
func watchBus(context.Context, func(error)) {}
