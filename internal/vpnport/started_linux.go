package vpnport

import (
	"fmt"
	"strconv"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport/procfs"
)

// ProcessStarted returns when pid started, computed exactly as the probe
// computes Holder.Started (the boot time plus /proc/PID/stat's start time in
// clock ticks). For the same process the two are equal to the tick; a
// process that reused the PID started at least one tick later, so callers
// compare with Equal, never within a tolerance.
func ProcessStarted(pid int) (time.Time, error) {
	var h linuxHolders
	b, err := h.read(procRoot + "/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return time.Time{}, fmt.Errorf("reading the start time of process %d: %w", pid, err)
	}
	st, err := procfs.ParseStat(b)
	if err != nil {
		return time.Time{}, fmt.Errorf("reading the start time of process %d: %w", pid, err)
	}
	bt := h.boot()
	if bt.IsZero() {
		return time.Time{}, fmt.Errorf("reading the boot time from %s/stat failed", procRoot)
	}
	return bt.Add(time.Duration(st.StartTicks) * linuxClockTick), nil
}
