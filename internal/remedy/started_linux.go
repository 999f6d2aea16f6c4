package remedy

import (
	"os"
	"strconv"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// processStarted reads the start time the way the probe does, to the clock
// tick, so the identity check compares equal values.
func processStarted(pid int) (time.Time, error) { return vpnport.ProcessStarted(pid) }

// processExe is the process's executable, "" when unreadable (another
// user's process). On Linux /proc is the only source; gopsutil, which
// would read the same link, stays out of the Linux binary (its package
// initialisation cost every start about half a millisecond).
func processExe(pid int) string {
	exe, _ := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe")
	return exe
}
