//go:build !linux && !windows

package remedy

import (
	"context"
	"fmt"
	"time"

	"github.com/shirou/gopsutil/v4/process"
)

// processStarted reads the start time as gopsutil reports it on macOS (in
// milliseconds, the same reader the macOS probe's holders come from).
func processStarted(pid int) (time.Time, error) {
	gp, err := process.NewProcessWithContext(context.Background(), int32(pid))
	if err != nil {
		return time.Time{}, fmt.Errorf("reading process %d: %w", pid, err)
	}
	ms, err := gp.CreateTime()
	if err != nil {
		return time.Time{}, fmt.Errorf("reading the start time of process %d: %w", pid, err)
	}
	return time.UnixMilli(ms), nil
}

// processExe is the process's executable as gopsutil finds it (on macOS
// through proc_pidpath), "" when unreadable.
func processExe(pid int) string {
	gp, err := process.NewProcessWithContext(context.Background(), int32(pid))
	if err != nil {
		return ""
	}
	exe, _ := gp.Exe()
	return exe
}
