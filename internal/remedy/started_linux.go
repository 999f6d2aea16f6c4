package remedy

import (
	"time"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// processStarted reads the start time the way the probe does, to the clock
// tick, so the identity check compares equal values.
func processStarted(pid int) (time.Time, error) { return vpnport.ProcessStarted(pid) }
