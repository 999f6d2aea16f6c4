package remedy

import (
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// Confirmation is the question asked before an action whose
// [diagnose.ActionSpec] says Confirm. It names exactly what will be acted on;
// a confirmation answers this target and no other (the PID it names, the
// lock file, the adapter).
type Confirmation struct {
	Action   diagnose.Action
	Resource vpnport.Resource
	// PID is the process end-process will end; 0 for the other actions.
	PID int
	// Target names what is acted on: "python3 (PID 4242, /usr/bin/python3)",
	// "network adapter wlan0", "lock file /run/lock/LCK..ttyS0".
	Target string
	// Question is what the user answers: "End python3 (PID 4242, /usr/bin/python3)?".
	Question string
	// Consequence is what happens besides: "Unsaved work in it will be lost."
	Consequence string
}

// Prompt is the question and its consequence in one line.
func (c Confirmation) Prompt() string {
	if c.Consequence == "" {
		return c.Question
	}
	return c.Question + " " + c.Consequence
}

// ConfirmationError asks for the user's confirmation: [Runner.Do] returns it,
// before doing anything, for every unconfirmed request whose action's spec
// says Confirm. It matches [ErrNeedsConfirmation].
type ConfirmationError struct {
	Confirmation
}

func (e *ConfirmationError) Error() string { return "confirmation needed: " + e.Prompt() }

// Is makes errors.Is(err, ErrNeedsConfirmation) true.
func (e *ConfirmationError) Is(target error) bool { return target == ErrNeedsConfirmation }

// confirmation checks the target of an action that needs a confirmation and
// returns the question that names it.
func (r *Runner) confirmation(req Request) (Confirmation, error) {
	c := Confirmation{Action: req.Action, Resource: req.Finding.Resource}
	switch req.Action {
	case diagnose.EndProcess:
		if req.Confirmed && req.PID == 0 {
			// A yes answers the question that named one process; without
			// its PID it could end whoever holds the resource now.
			return c, fmt.Errorf("%w: a confirmed end-process must name the PID its question named", ErrRefused)
		}
		h, group, err := endGroup(req)
		if err != nil {
			return c, err
		}
		c.PID = h.PID
		c.Target, c.Question, c.Consequence = endPrompt(group)
	case diagnose.ResetAdapter:
		name := r.o.Adapter
		if name == "" {
			return c, ErrNoAdapter
		}
		if err := ValidAdapterName(r.o.GOOS, name); err != nil {
			return c, fmt.Errorf("%w: %w", ErrRefused, err)
		}
		c.Target = "network adapter " + name
		c.Question = fmt.Sprintf("Reset network adapter %s?", name)
		c.Consequence = "Every connection through it drops for a moment; administrator rights may be asked for."
	case diagnose.RebootSuggested:
		c.Target = "the computer"
		c.Question = "Restart the computer?"
		c.Consequence = "Save your work first; a restart clears locks the system keeps after sleep."
	case diagnose.RemoveLock:
		lk, err := lockTarget(req.Finding)
		if err != nil {
			return c, err
		}
		c.Target = "lock file " + lk.Path
		c.Question = fmt.Sprintf("Remove the lock file %s?", lk.Path)
		c.Consequence = fmt.Sprintf("It names PID %d, which is no longer running.", lk.PID)
	default:
		spec, _ := req.Action.Spec()
		c.Target = req.Finding.Resource.String()
		c.Question = spec.Label + " for " + c.Target + "?"
	}
	return c, nil
}

// ConfigOptions are the Options for cfg: its adapter and reconnect command,
// and the config file by absolute path for check-as-admin, because the
// elevated check runs with root's home, which has another config (or none).
func ConfigOptions(cfg *config.Config, log *slog.Logger) Options {
	o := Options{Adapter: cfg.Adapter, Reconnect: cfg.Reconnect, Log: log, Forbidden: cfg.ForbidActions()}
	if cfg.Policy != nil {
		o.ForbiddenBy = cfg.Policy.Source
	}
	if cfg.Source != config.EmbeddedSource {
		if abs, err := filepath.Abs(cfg.Source); err == nil {
			o.ConfigPath = abs
		}
	}
	return o
}
