package remedy

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// holdsNow is the default Options.Holds: a fresh passive probe of r, and
// whether the process h (same PID, same start time) is among its holders.
func holdsNow(ctx context.Context, r vpnport.Resource, h vpnport.Holder) (bool, error) {
	p := vpnport.New()
	defer p.Close()
	obs, err := p.Probe(ctx, []vpnport.Resource{r})
	if err != nil {
		return false, err
	}
	for _, o := range obs {
		for _, x := range o.Holders {
			if x.PID == h.PID && x.Started.Equal(h.Started) {
				return true, nil
			}
		}
	}
	return false, nil
}

// startFormat shows start times to the clock tick, so two that differ by
// one do not read the same.
const startFormat = "2006-01-02 15:04:05.00"

// pollEvery is how often end-process looks whether the process has exited.
const pollEvery = 20 * time.Millisecond

func (r *Runner) endProcess(ctx context.Context, req Request) (Result, error) {
	h, err := pickHolder(req) // req.PID is the one the confirmation named
	if err != nil {
		return Result{}, err
	}
	p, err := r.o.OpenProcess(h.PID)
	if err != nil {
		return Result{}, fmt.Errorf("%w: process %d is gone or cannot be opened: %w", ErrRefused, h.PID, err)
	}
	defer p.Release()
	// The handle is open before the identity is read: what is verified here is
	// what gets signalled below.
	if err := verifySame(h, p); err != nil {
		return Result{}, err
	}
	// The process is the one the user was shown; it must also still hold
	// what they were shown. A probe now, with the handle open: a process
	// that let the port go (or a PID reused within one clock tick) is not
	// ended for a resource it does not hold.
	held, err := r.o.Holds(ctx, req.Finding.Resource, h)
	if err != nil {
		return Result{}, fmt.Errorf("%w: cannot verify that PID %d still holds %s: %w", ErrRefused, h.PID, req.Finding.Resource, err)
	}
	if !held {
		return Result{}, fmt.Errorf("%w: %s (PID %d) no longer holds %s; check again", ErrRefused, h.Name, h.PID, req.Finding.Resource)
	}
	if p.Exited() {
		return Result{Message: fmt.Sprintf("%s (PID %d) had already exited", h.Name, h.PID)}, nil
	}
	r.log.Info("ending process", "pid", h.PID, "name", h.Name, "exe", h.Exe)
	if err := p.Terminate(); err != nil {
		if p.Exited() {
			return Result{Message: fmt.Sprintf("%s (PID %d) had already exited", h.Name, h.PID)}, nil
		}
		return Result{}, fmt.Errorf("asking %s (PID %d) to exit: %w", h.Name, h.PID, err)
	}
	if waitExit(ctx, p, r.o.Grace) {
		return Result{Message: fmt.Sprintf("ended %s (PID %d)", h.Name, h.PID)}, nil
	}
	r.log.Warn("process ignored SIGTERM, killing", "pid", h.PID, "grace", r.o.Grace)
	if err := p.Kill(); err != nil && !p.Exited() {
		return Result{}, fmt.Errorf("killing %s (PID %d): %w", h.Name, h.PID, err)
	}
	if !waitExit(ctx, p, r.o.Grace) {
		return Result{}, fmt.Errorf("%s (PID %d) is still running after SIGKILL", h.Name, h.PID)
	}
	return Result{Message: fmt.Sprintf("killed %s (PID %d) after it ignored a request to exit for %s", h.Name, h.PID, r.o.Grace)}, nil
}

// pickHolder finds the holder to end and refuses the ones that must never be
// ended, before any confirmation is asked for.
func pickHolder(req Request) (vpnport.Holder, error) {
	f := req.Finding
	var h vpnport.Holder
	found := false
	for _, x := range f.Holders {
		if req.PID != 0 && x.PID != req.PID {
			continue
		}
		if req.PID == 0 && (x.Hidden || x.Kernel) {
			continue
		}
		if found {
			return h, fmt.Errorf("%w: %s has several holders; say which PID to end", ErrRefused, f.Resource)
		}
		h, found = x, true
	}
	switch {
	case !found && req.PID != 0:
		return h, fmt.Errorf("%w: PID %d does not hold %s", ErrRefused, req.PID, f.Resource)
	case !found:
		return h, fmt.Errorf("%w: %s has no holder that traycheck can end", ErrRefused, f.Resource)
	case h.Hidden:
		return h, fmt.Errorf("%w: the holder of %s is hidden (user %s); check as administrator first", ErrRefused, f.Resource, h.User)
	case h.Kernel:
		return h, fmt.Errorf("%w: %s is held by the kernel, not a process", ErrRefused, f.Resource)
	case h.PID <= 1:
		return h, fmt.Errorf("%w: will not end PID %d (the init process)", ErrRefused, h.PID)
	case h.PID == os.Getpid():
		return h, fmt.Errorf("%w: will not end traycheck itself (PID %d)", ErrRefused, h.PID)
	}
	return h, nil
}

// endPrompt names the holder exactly: name, PID and path.
func endPrompt(h vpnport.Holder) (target, question, consequence string) {
	name := h.Name
	if h.Service != "" {
		name += " (service " + h.Service + ")"
	}
	exe := h.Exe
	if exe == "" {
		exe = "unknown path"
	}
	target = fmt.Sprintf("%s (PID %d, %s)", name, h.PID, exe)
	return target, "End " + target + "?", "Unsaved work in it will be lost."
}

// verifySame refuses when the process behind the PID is not the holder the
// finding named: the PID was reused, or the start time is unknown so reuse
// cannot be ruled out.
func verifySame(h vpnport.Holder, p Process) error {
	exe, started, err := p.Identity()
	if err != nil {
		return fmt.Errorf("%w: cannot verify that PID %d is still %s: %w", ErrRefused, h.PID, h.Name, err)
	}
	if h.Started.IsZero() {
		return fmt.Errorf("%w: the finding has no start time for PID %d, so PID reuse cannot be ruled out; check again", ErrRefused, h.PID)
	}
	// Exactly equal: both sides read the same clock (ticks since boot on
	// Linux, FILETIME on Windows), so any difference is another process.
	if !started.Equal(h.Started) {
		return fmt.Errorf("%w: PID %d is no longer %s (it started at %s, the holder at %s: the PID was reused); check again",
			ErrRefused, h.PID, h.Name, started.Format(startFormat), h.Started.Format(startFormat))
	}
	if h.Exe != "" && exe != h.Exe {
		return fmt.Errorf("%w: PID %d now runs %s, not %s; check again", ErrRefused, h.PID, exe, h.Exe)
	}
	return nil
}

// waitExit polls until p exits, d passes or ctx ends, and says whether it
// exited. Polling, because a process that is not our child cannot be waited
// for.
func waitExit(ctx context.Context, p Process, d time.Duration) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		if p.Exited() {
			return true
		}
		select {
		case <-ctx.Done():
			return p.Exited()
		case <-deadline.C:
			return p.Exited()
		case <-tick.C:
		}
	}
}
