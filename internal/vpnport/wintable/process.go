package wintable

import "time"

// Process is what Windows tells about one process. Fields the caller may
// not read (another user's or a protected process) stay empty.
type Process struct {
	PID int
	// Name is the image name from a Toolhelp snapshot ("svchost.exe"),
	// known even where the details below are refused.
	Name    string
	Exe     string // full image path
	Started time.Time
	User    string // DOMAIN\account
	// Services are the Win32 services running in it, sorted: what a
	// shared svchost.exe is really doing.
	Services []string
}
