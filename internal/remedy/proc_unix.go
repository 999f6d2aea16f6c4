//go:build !windows

package remedy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

const defaultGOOS = runtime.GOOS

// unixProcess wraps os.Process, which on Linux holds a pidfd: signals sent
// through it cannot reach a newer process that reused the PID.
type unixProcess struct {
	p   *os.Process
	pid int
}

func openProcess(pid int) (Process, error) {
	p, err := os.FindProcess(pid)
	if err != nil {
		return nil, fmt.Errorf("opening process %d: %w", pid, err)
	}
	if err := p.Signal(syscall.Signal(0)); errors.Is(err, os.ErrProcessDone) {
		p.Release()
		return nil, fmt.Errorf("process %d: %w", pid, err)
	}
	return &unixProcess{p: p, pid: pid}, nil
}

func (u *unixProcess) Identity() (string, time.Time, error) {
	started, err := processStarted(u.pid)
	if err != nil {
		return "", time.Time{}, err
	}
	// The exe may be unreadable (another user's process); the start time
	// alone still detects PID reuse, and the caller compares the exe only
	// when the finding has one.
	exe := processExe(u.pid)
	// Read through the handle after the identity: if the process is still
	// there now, what was read above was this process, not a later one
	// that took its PID.
	if err := u.p.Signal(syscall.Signal(0)); errors.Is(err, os.ErrProcessDone) {
		return "", time.Time{}, fmt.Errorf("process %d: %w", u.pid, err)
	}
	return exe, started, nil
}

func (u *unixProcess) Terminate() error { return u.p.Signal(syscall.SIGTERM) }
func (u *unixProcess) Kill() error      { return u.p.Signal(syscall.SIGKILL) }
func (u *unixProcess) Release() error   { return u.p.Release() }

func (u *unixProcess) Exited() bool {
	err := u.p.Signal(syscall.Signal(0))
	if errors.Is(err, os.ErrProcessDone) || errors.Is(err, syscall.ESRCH) {
		return true
	}
	// A zombie still takes signals but holds nothing any more.
	return isZombie(u.pid)
}

// pidAlive reports whether pid is a live process; EPERM means it exists but
// belongs to someone else, which is alive.
func pidAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	return !isZombie(pid)
}

// isZombie reads the state field of /proc/PID/stat (Linux; elsewhere the file
// is absent and the answer is false).
func isZombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the last ')', because the command name may hold any
	// bytes including ')' and spaces.
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == ')' {
			return i+2 < len(b) && b[i+2] == 'Z'
		}
	}
	return false
}

// runElevated runs argv as root: directly when already root, else through
// pkexec, which shows the desktop's polkit prompt. pkexec wants an absolute
// program path.
func runElevated(ctx context.Context, argv []string, waitDelay time.Duration) ([]byte, error) {
	if os.Geteuid() == 0 {
		return runArgv(ctx, argv, waitDelay)
	}
	pkexec, err := exec.LookPath("pkexec")
	if err != nil {
		return nil, fmt.Errorf("administrator rights are needed and pkexec is not installed (install polkit, or run the command as root): %w", err)
	}
	prog, err := exec.LookPath(argv[0])
	if err != nil {
		return nil, fmt.Errorf("finding %s: %w", argv[0], err)
	}
	return runArgv(ctx, append([]string{pkexec, prog}, argv[1:]...), waitDelay)
}

// networkManagerRunning asks nmcli; no nmcli means no NetworkManager to use.
func networkManagerRunning(ctx context.Context, run func(context.Context, []string) ([]byte, error)) bool {
	if _, err := exec.LookPath("nmcli"); err != nil {
		return false
	}
	out, err := run(ctx, []string{"nmcli", "-t", "-f", "RUNNING", "general"})
	return err == nil && string(bytes.TrimSpace(out)) == "running"
}
