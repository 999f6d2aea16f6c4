// Package remedy carries out the actions a finding offers: retry (after the
// configured reconnect command), wait out TIME_WAIT, end a holder process,
// reset the network adapter, schedule a reboot, remove a stale lock file, or
// re-run the check as administrator.
//
// The rules every action follows: nothing is ended, reset, removed or rebooted
// unless the request says the user confirmed it (Request.Confirmed); the
// target is re-verified right before acting (a PID that was reused, a lock file
// that changed, refuse); nothing runs through a shell (argv only); elevation
// happens only through the OS prompt (pkexec, UAC "runas"), never silently.
//
// The OS edges (running a program, running it elevated, opening a process,
// asking whether a PID is alive) are small funcs in Options so tests can
// watch them; the defaults do the real thing.
package remedy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// ErrNeedsConfirmation is matched (errors.Is) by every [*ConfirmationError]:
// the action's [diagnose.ActionSpec] asks for a confirmation and the request
// was not confirmed. Nothing was done; show the error's [Confirmation] and send
// the request again with Confirmed set if the user agrees.
var ErrNeedsConfirmation = errors.New("remedy: the action needs the user's confirmation")

// ErrRefused is wrapped by errors for requests that must not be carried out
// at all (PID 1, traycheck itself, a hidden or kernel holder, a PID that is no
// longer the holder, a live lock owner, an action the finding did not offer).
var ErrRefused = errors.New("remedy: refused")

// ErrNoAdapter is returned for reset-adapter when no adapter is configured.
var ErrNoAdapter = errors.New("remedy: no network adapter configured (set adapter in the config)")

// Request asks for one action on one finding. PID picks the holder for
// end-process (0: the finding's only visible holder).
type Request struct {
	Action    diagnose.Action
	Finding   diagnose.Finding
	PID       int
	Confirmed bool
}

// Result says what was done. The caller re-checks the resource after
// RecheckAfter (0: right away).
type Result struct {
	Message      string
	RecheckAfter time.Duration
	// Suggested is use-other-port's port (and rewritten ssh command), for
	// a face that shows it apart from the message (a note's Copy button).
	Suggested *Suggestion
}

// Process is a handle on one process, opened before its identity is read so
// that signals reach the process that was verified even if its PID is reused
// in between (a pidfd on Linux, a process handle on Windows).
type Process interface {
	// Identity returns the executable path and start time.
	Identity() (exe string, started time.Time, err error)
	// Terminate asks the process to exit (SIGTERM; TerminateProcess on Windows).
	Terminate() error
	// Kill ends it without asking (SIGKILL; TerminateProcess on Windows).
	Kill() error
	// Exited reports whether the process has ended (a zombie counts as ended).
	Exited() bool
	// Release frees the handle.
	Release() error
}

// Options configure a Runner. Zero values mean the real OS behaviour.
type Options struct {
	// Forbidden are the actions the machine policy forbids, refused here
	// whatever asks (a click, a console command, an IPC request);
	// ForbiddenBy names the policy for the error.
	Forbidden   []string
	ForbiddenBy string
	// Adapter is the network adapter for reset-adapter ("" = none).
	Adapter string
	// Reconnect is the argv run before a retry (nil = none).
	Reconnect []string
	// ConfigPath is the user's config file, passed to check-as-admin so the
	// elevated check judges with the user's clients ("" = the default, as
	// root sees it: the embedded one unless root has its own).
	ConfigPath string
	// Self is traycheck's own executable, for check-as-admin ("" =
	// os.Executable).
	Self string
	// Grace is how long end-process waits after SIGTERM before SIGKILL
	// (0 = DefaultGrace).
	Grace time.Duration
	// Log receives the output of every command run (nil = slog.Default()).
	Log *slog.Logger
	// ReconnectTimeout bounds the reconnect command (0 =
	// DefaultReconnectTimeout).
	ReconnectTimeout time.Duration
	// PromptTimeout bounds every other command, each of which may wait at
	// an authorisation prompt (0 = DefaultPromptTimeout).
	PromptTimeout time.Duration
	// WaitDelay is how long a finished or stopped command's output is still
	// read (0 = DefaultWaitDelay); see exec.Cmd.WaitDelay.
	WaitDelay time.Duration

	// GOOS selects the commands (netsh or nmcli/ip, shutdown or osascript);
	// "" = runtime.GOOS. Tests set it to check another OS's argv.
	GOOS string
	// Run runs argv (never through a shell) and returns its combined output.
	Run func(ctx context.Context, argv []string) ([]byte, error)
	// Elevated runs argv with administrator rights through the OS prompt
	// (pkexec when not root; UAC runas on Windows).
	Elevated func(ctx context.Context, argv []string) ([]byte, error)
	// NetworkManager reports whether NetworkManager runs (Linux).
	NetworkManager func(ctx context.Context) bool
	// OpenProcess opens a handle on pid.
	OpenProcess func(pid int) (Process, error)
	// Alive reports whether pid is a live process (for lock files).
	Alive func(pid int) bool
	// Holds reports whether the process h (PID and start time) holds r
	// right now; end-process asks it with the process handle open, at the
	// moment of acting. The default probes r.
	Holds func(ctx context.Context, r vpnport.Resource, h vpnport.Holder) (bool, error)
}

// DefaultGrace is how long a process gets to exit after SIGTERM.
const DefaultGrace = 3 * time.Second

// waitMargin is added to the TIME_WAIT left so that the re-check finds the
// socket gone rather than racing its expiry.
const waitMargin = time.Second

// Runner carries out actions. It is safe for concurrent use; the actions
// themselves are serialised by the caller (the watch loop).
type Runner struct {
	o   Options
	log *slog.Logger
}

// New returns a Runner with o's edges, filling in the real OS defaults.
func New(o Options) *Runner {
	if o.Grace <= 0 {
		o.Grace = DefaultGrace
	}
	if o.GOOS == "" {
		o.GOOS = defaultGOOS
	}
	if o.ReconnectTimeout <= 0 {
		o.ReconnectTimeout = DefaultReconnectTimeout
	}
	if o.PromptTimeout <= 0 {
		o.PromptTimeout = DefaultPromptTimeout
	}
	if o.WaitDelay <= 0 {
		o.WaitDelay = DefaultWaitDelay
	}
	waitDelay := o.WaitDelay
	if o.Run == nil {
		o.Run = func(ctx context.Context, argv []string) ([]byte, error) { return runArgv(ctx, argv, waitDelay) }
	}
	if o.Elevated == nil {
		o.Elevated = func(ctx context.Context, argv []string) ([]byte, error) { return runElevated(ctx, argv, waitDelay) }
	}
	if o.NetworkManager == nil {
		run := o.Run
		o.NetworkManager = func(ctx context.Context) bool {
			ctx, cancel := context.WithTimeout(ctx, probeTimeout)
			defer cancel()
			return networkManagerRunning(ctx, run)
		}
	}
	if o.OpenProcess == nil {
		o.OpenProcess = openProcess
	}
	if o.Alive == nil {
		o.Alive = pidAlive
	}
	if o.Holds == nil {
		o.Holds = holdsNow
	}
	log := o.Log
	if log == nil {
		log = slog.Default()
	}
	return &Runner{o: o, log: log.With("component", "remedy")}
}

// Do carries out req. A [*ConfirmationError] (errors.Is ErrNeedsConfirmation)
// means nothing was done yet; errors wrapping ErrRefused mean it will not be
// done; other errors are failures of the action itself.
//
// Confirmation is enforced here and only here: every action whose
// [diagnose.ActionSpec] says Confirm first has its target checked (a holder
// that must never be ended, a file that is not a lock, an adapter name that is
// not safe), then, unconfirmed, returns the question naming that target.
func (r *Runner) Do(ctx context.Context, req Request) (Result, error) {
	f := req.Finding
	spec, known := req.Action.Spec()
	if !known {
		return Result{}, fmt.Errorf("%w: unknown action %q", ErrRefused, req.Action)
	}
	if slices.Contains(r.o.Forbidden, string(req.Action)) {
		return Result{}, fmt.Errorf("%w: %s is forbidden by the machine policy (%s)", ErrRefused, req.Action, r.o.ForbiddenBy)
	}
	if req.Action != diagnose.Retry && !f.Has(req.Action) {
		return Result{}, fmt.Errorf("%w: %s is not offered for %s (%s)", ErrRefused, req.Action, f.Resource, f.Cause)
	}
	r.log.Info("action requested", "action", req.Action, "resource", f.Resource.String(),
		"cause", f.Cause, "pid", req.PID, "confirmed", req.Confirmed)
	if spec.Confirm {
		c, err := r.confirmation(req)
		if err != nil {
			return Result{}, err
		}
		if !req.Confirmed {
			return Result{}, &ConfirmationError{Confirmation: c}
		}
		req.PID = c.PID
	}
	switch req.Action {
	case diagnose.Retry:
		return r.retry(ctx)
	case diagnose.Wait:
		left := time.Duration(f.TimeWaitLeftS) * time.Second
		return Result{
			Message:      fmt.Sprintf("waiting %s for the TIME_WAIT sockets on %s to expire", left+waitMargin, f.Resource),
			RecheckAfter: left + waitMargin,
		}, nil
	case diagnose.EndProcess:
		return r.endProcess(ctx, req)
	case diagnose.ResetAdapter:
		return r.resetAdapter(ctx)
	case diagnose.RebootSuggested:
		return r.reboot(ctx)
	case diagnose.RemoveLock:
		return r.removeLock(req)
	case diagnose.CheckAsAdmin:
		return r.checkAsAdmin(ctx, req)
	case diagnose.UseOtherPort:
		return r.useOtherPort(ctx, f)
	}
	return Result{}, fmt.Errorf("%w: unknown action %q", ErrRefused, req.Action)
}

func (r *Runner) retry(ctx context.Context) (Result, error) {
	if len(r.o.Reconnect) == 0 {
		return Result{Message: "checking again"}, nil
	}
	if err := r.run(ctx, r.o.ReconnectTimeout, false, r.o.Reconnect); err != nil {
		return Result{}, fmt.Errorf("reconnect command: %w", err)
	}
	return Result{Message: fmt.Sprintf("ran %s; checking again", r.o.Reconnect[0])}, nil
}

// run runs argv (elevated through the OS prompt when asked) for at most
// timeout and logs its output, so a failure can be read in the log as well
// as in the error.
func (r *Runner) run(ctx context.Context, timeout time.Duration, elevated bool, argv []string) error {
	if len(argv) == 0 {
		return errors.New("empty command")
	}
	runner := r.o.Run
	if elevated {
		runner = r.o.Elevated
	}
	out, err := runBounded(ctx, timeout, runner, argv)
	r.log.Info("ran command", "argv", argv, "elevated", elevated, "output", truncate(out, 4096), "err", err)
	if err != nil {
		if msg := firstLine(out); msg != "" {
			return fmt.Errorf("%s: %w (%s)", argv[0], err, msg)
		}
		return fmt.Errorf("%s: %w", argv[0], err)
	}
	return nil
}

// runBounded runs argv through runner for at most timeout. A command stopped
// by the timeout or by ctx says so, wrapping context.DeadlineExceeded or
// context.Canceled next to the program's own error ("signal: killed").
func runBounded(ctx context.Context, timeout time.Duration, runner func(context.Context, []string) ([]byte, error), argv []string) ([]byte, error) {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := runner(cctx, argv)
	if err != nil && cctx.Err() != nil {
		if ctx.Err() == nil {
			err = fmt.Errorf("gave up after %s: %w: %w", timeout, cctx.Err(), err)
		} else {
			err = fmt.Errorf("stopped: %w: %w", ctx.Err(), err)
		}
	}
	return out, err
}

func (r *Runner) self() (string, error) {
	if r.o.Self != "" {
		return r.o.Self, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding traycheck's own executable: %w", err)
	}
	return exe, nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

func firstLine(b []byte) string {
	for i, c := range b {
		if c == '\n' {
			b = b[:i]
			break
		}
	}
	if len(b) > 200 {
		b = b[:200]
	}
	return string(b)
}
