package remedy

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// holdsNow is the default Options.Holds: a fresh passive probe of r, and
// whether the process h (same PID, same start time) is among its holders.
func holdsNow(ctx context.Context, r vpnport.Resource, h vpnport.Holder) (bool, error) {
	p := vpnport.New()
	defer p.Close()
	obs, err := p.Probe(ctx, []vpnport.Resource{r}, vpnport.ProbeOptions{})
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

// endGroup is what end-process ends: the picked holder and, when several
// processes hold one socket between them (a server's forked workers, also
// after the server died), its whole group (diagnose.Finding.Together), since
// ending one frees nothing. Every member goes through the same rules as a
// single holder: refused if it must never be ended, named in the one
// confirmation, verified before any is signalled.
func endGroup(req Request) (vpnport.Holder, []vpnport.Holder, error) {
	h, err := pickHolder(req)
	if err != nil {
		return h, nil, err
	}
	group := req.Finding.EndGroup(h.PID)
	if group == nil {
		group = []vpnport.Holder{h}
	}
	for _, g := range group {
		if err := refuse(g, req.Finding.Resource); err != nil {
			return h, nil, err
		}
	}
	return h, group, nil
}

func (r *Runner) endProcess(ctx context.Context, req Request) (Result, error) {
	_, group, err := endGroup(req) // req.PID is the one the confirmation named
	if err != nil {
		return Result{}, err
	}
	procs := make([]Process, 0, len(group))
	defer func() {
		for _, p := range procs {
			p.Release()
		}
	}()
	for _, g := range group {
		p, err := r.o.OpenProcess(g.PID)
		if err != nil {
			return Result{}, fmt.Errorf("%w: process %d is gone or cannot be opened: %w", ErrRefused, g.PID, err)
		}
		procs = append(procs, p)
		// The handle is open before the identity is read: what is verified
		// here is what gets signalled below.
		if err := verifySame(g, p); err != nil {
			return Result{}, err
		}
	}
	// The processes are the ones the user was shown; they must also still
	// hold what they were shown. A probe now, with the handles open: a
	// process that let the port go (or a PID reused within one clock tick)
	// is not ended for a resource it does not hold.
	for _, g := range group {
		held, err := r.o.Holds(ctx, req.Finding.Resource, g)
		if err != nil {
			return Result{}, fmt.Errorf("%w: cannot verify that PID %d still holds %s: %w", ErrRefused, g.PID, req.Finding.Resource, err)
		}
		if !held {
			return Result{}, fmt.Errorf("%w: %s (PID %d) no longer holds %s; check again", ErrRefused, g.Name, g.PID, req.Finding.Resource)
		}
	}
	for i, p := range procs {
		g := group[i]
		r.log.Info("ending process", "pid", g.PID, "name", g.Name, "exe", g.Exe)
		if err := p.Terminate(); err != nil && !p.Exited() {
			return Result{}, fmt.Errorf("asking %s (PID %d) to exit: %w", g.Name, g.PID, err)
		}
	}
	var killed []vpnport.Holder
	for i, p := range procs {
		if waitExit(ctx, p, r.o.Grace) {
			continue
		}
		g := group[i]
		r.log.Warn("process ignored SIGTERM, killing", "pid", g.PID, "grace", r.o.Grace)
		if err := p.Kill(); err != nil && !p.Exited() {
			return Result{}, fmt.Errorf("killing %s (PID %d): %w", g.Name, g.PID, err)
		}
		if !waitExit(ctx, p, r.o.Grace) {
			return Result{}, fmt.Errorf("%s (PID %d) is still running after SIGKILL", g.Name, g.PID)
		}
		killed = append(killed, g)
	}
	if len(killed) > 0 {
		return Result{Message: fmt.Sprintf("killed %s after it ignored a request to exit for %s", namesOf(killed), r.o.Grace)}, nil
	}
	return Result{Message: "ended " + namesOf(group)}, nil
}

// namesOf renders holders as "a (PID 1)" or "a (PID 1), b (PID 2) and c (PID 3)".
func namesOf(hs []vpnport.Holder) string {
	s := ""
	for i, h := range hs {
		switch {
		case i == 0:
		case i == len(hs)-1:
			s += " and "
		default:
			s += ", "
		}
		s += fmt.Sprintf("%s (PID %d)", h.Name, h.PID)
	}
	return s
}

// pickHolder finds the holder to end and refuses the ones that must never be
// ended, before any confirmation is asked for. Without a PID the finding
// must have one visible holder, or several that hold one socket together
// (one group, ended as a whole).
func pickHolder(req Request) (vpnport.Holder, error) {
	f := req.Finding
	var cands []vpnport.Holder
	for _, x := range f.Holders {
		if req.PID != 0 && x.PID != req.PID {
			continue
		}
		if req.PID == 0 && (x.Hidden || x.Kernel) {
			continue
		}
		cands = append(cands, x)
	}
	switch {
	case len(cands) == 0 && req.PID != 0:
		return vpnport.Holder{}, fmt.Errorf("%w: PID %d does not hold %s", ErrRefused, req.PID, f.Resource)
	case len(cands) == 0:
		return vpnport.Holder{}, fmt.Errorf("%w: %s has no holder that traycheck can end", ErrRefused, f.Resource)
	case len(cands) > 1 && len(f.EndGroup(cands[0].PID)) != len(cands):
		return vpnport.Holder{}, fmt.Errorf("%w: %s has several holders; say which PID to end", ErrRefused, f.Resource)
	}
	return cands[0], refuse(cands[0], f.Resource)
}

// refuse says why h must never be ended, or nil.
func refuse(h vpnport.Holder, res vpnport.Resource) error {
	switch {
	case h.Hidden:
		return fmt.Errorf("%w: the holder of %s is hidden (user %s); check as administrator first", ErrRefused, res, h.User)
	case h.Kernel:
		return fmt.Errorf("%w: %s is held by the kernel, not a process", ErrRefused, res)
	case h.PID <= 1:
		return fmt.Errorf("%w: will not end PID %d (the init process)", ErrRefused, h.PID)
	case h.PID == os.Getpid():
		return fmt.Errorf("%w: will not end traycheck itself (PID %d)", ErrRefused, h.PID)
	}
	return nil
}

// endPrompt names every process to end exactly: name, PID and path.
func endPrompt(group []vpnport.Holder) (target, question, consequence string) {
	names := make([]string, len(group))
	for i, h := range group {
		name := h.Name
		if h.Service != "" {
			name += " (service " + h.Service + ")"
		}
		exe := h.Exe
		if exe == "" {
			exe = "unknown path"
		}
		names[i] = fmt.Sprintf("%s (PID %d, %s)", name, h.PID, exe)
	}
	target = strings.Join(names, ", ")
	if len(group) == 1 {
		return target, "End " + target + "?", "Unsaved work in it will be lost."
	}
	return target, fmt.Sprintf("End all %d processes that hold it together: %s?", len(group), target),
		"Ending only some would not free it. Unsaved work in them will be lost."
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
