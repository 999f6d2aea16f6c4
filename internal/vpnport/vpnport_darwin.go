package vpnport

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"
)

// The macOS probe runs lsof and netstat (argv, never a shell) and parses
// their output with the OS-neutral code in lsof.go and lsofnetstat.go.
// Unprivileged, lsof sees only the user's own processes: a port held by
// another user's process shows no holder here.

func init() {
	newOSImpl = func() osImpl { return &macImpl{run: macRun} }
}

const macCmdTimeout = 10 * time.Second

// macRun runs name with args and returns stdout. lsof exits 1 when it found
// nothing, which is an answer, not a failure.
func macRun(ctx context.Context, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, macCmdTimeout)
	defer cancel()
	// lsof and netstat ship in /usr/sbin; by full path, a PATH entry the
	// user can write cannot shadow them.
	path := "/usr/sbin/" + name
	if _, err := os.Stat(path); err != nil {
		path = name
	}
	out, err := exec.CommandContext(ctx, path, args...).Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 && name == "lsof" {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("running %s: %w", name, err)
	}
	return out, nil
}
