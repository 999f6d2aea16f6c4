package lifecycle

import "errors"

// reexec is not needed on Windows, whose tray does not ride on a bus.
func reexec() error { return errors.New("restarting in place is not supported on Windows") }
