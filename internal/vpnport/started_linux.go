package vpnport

import (
	"time"

	"github.com/traycheck/traycheck/internal/vpnport/procfs"
)

// ProcessStarted returns when pid started, computed exactly as the probe
// computes Holder.Started (see procfs.Reader.Started): callers compare with
// Equal, never within a tolerance.
func ProcessStarted(pid int) (time.Time, error) {
	r := procfs.Reader{}
	return r.Started(pid)
}
