package remedy

import (
	"context"
	"errors"
	"os/exec"
	"time"
)

// Bounds on the commands a remedy runs. Without them one command that never
// finishes (an ignored pkexec or UAC prompt, a reconnect command whose daemon
// keeps the output pipe open) would block the watch loop's only remedy slot:
// no later action would run and quitting would hang.
const (
	// DefaultReconnectTimeout bounds the configured reconnect command.
	DefaultReconnectTimeout = 2 * time.Minute
	// DefaultPromptTimeout bounds a command that may wait for the user at an
	// authorisation prompt (pkexec, polkit behind nmcli or logind, UAC).
	DefaultPromptTimeout = 5 * time.Minute
	// DefaultWaitDelay is how long the output of a command that has exited
	// (or was stopped) is still read: a daemon it started inherits the pipe
	// and may keep it open for as long as it runs.
	DefaultWaitDelay = 3 * time.Second
	// MaxOutput bounds the output kept of one command; the tail is kept,
	// because that is where programs put the reason they failed.
	MaxOutput = 64 << 10
)

// probeTimeout bounds the quick question asked of nmcli before a reset.
const probeTimeout = 10 * time.Second

// runArgv runs argv (never through a shell) and returns the tail of its
// combined output. waitDelay is passed to exec.Cmd.WaitDelay: after the
// program exits or ctx ends, its output pipe is read for at most that long.
//
// A program that exited successfully but left a child holding the pipe
// (openvpn --daemon, sudo's forked child) did its job: that is not an error.
func runArgv(ctx context.Context, argv []string, waitDelay time.Duration) ([]byte, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.WaitDelay = waitDelay
	out := &tailBuffer{max: MaxOutput}
	// One writer for both streams: exec then gives the child a single pipe,
	// so the output keeps its order.
	cmd.Stdout = out
	cmd.Stderr = out
	err := cmd.Run()
	if errors.Is(err, exec.ErrWaitDelay) {
		out.Write([]byte("\n[traycheck: stopped reading the output: a program it started keeps it open]\n"))
		err = nil
	}
	return out.Bytes(), err
}

// tailBuffer is an io.Writer that keeps the last max bytes written to it.
// It holds at most 2*max bytes: before that would be exceeded it drops all
// but what the tail still needs, so each byte is copied a bounded number of
// times however much is written.
type tailBuffer struct {
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) >= t.max {
		t.b = append(t.b[:0], p[len(p)-t.max:]...)
		return n, nil
	}
	if len(t.b)+len(p) > 2*t.max {
		keep := t.max - len(p)
		t.b = t.b[:copy(t.b, t.b[len(t.b)-keep:])]
	}
	t.b = append(t.b, p...)
	return n, nil
}

// Bytes returns the last max bytes written.
func (t *tailBuffer) Bytes() []byte {
	if len(t.b) > t.max {
		return t.b[len(t.b)-t.max:]
	}
	return t.b
}
