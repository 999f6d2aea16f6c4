package fleet

import (
	"log/slog"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/power"
)

// Writer records events in one of the OS's event systems.
type Writer interface {
	Write(Event) error
}

// Sink is the monitor sink that turns the loop's reports into events: a
// finding on each transition (never on every poll), the actions offered with
// a conflict, the action the user took and its result, suspend and resume,
// and probe errors. A writer that fails is logged once per failure streak
// and never stops the loop.
type Sink struct {
	W            Writer
	ShareCmdline bool // machine policy: holders' command lines in events
	Log          *slog.Logger
	failing      bool
}

var _ monitor.Sink = (*Sink)(nil)

// Checking is part of monitor.Sink; a check starting is not an event.
func (s *Sink) Checking(monitor.Trigger) {}

// Result records the report's events.
func (s *Sink) Result(r monitor.Report) {
	trigger := string(r.Trigger.Kind)
	if r.Err != nil {
		s.write(Event{Kind: ProbeError, At: r.At, Trigger: trigger, Err: r.Err.Error(), Message: "traycheck could not check: " + r.Err.Error()})
		return
	}
	for _, f := range r.Transitions {
		s.write(findingEvent(f, r, trigger))
		if f.NeedsAttention() && len(f.Actions) > 0 {
			e := findingEvent(f, r, trigger)
			e.Kind, e.Message = ActionOffered, "actions offered for "+f.Resource.String()+": "+joinActions(f.Actions)
			s.write(e)
		}
	}
	for _, e := range failureEvents(r) {
		s.write(e)
	}
	if a := r.Action; a != nil && a.Confirm == nil {
		result := "done"
		if a.Result.Message != "" {
			result = a.Result.Message
		}
		if a.Err != nil {
			result = "failed: " + a.Err.Error()
		}
		s.write(Event{Kind: ActionTaken, At: r.At, Resource: a.Request.Resource, Action: a.Request.Action, Result: result, Trigger: trigger,
			Message: "the user chose " + string(a.Request.Action) + " for " + a.Request.Resource.String() + ": " + result})
	}
}

// Power records suspend and resume.
func (s *Sink) Power(ev power.Event) {
	k, verb := Resume, "the machine woke from sleep"
	if ev.Kind == power.Suspend {
		k, verb = Suspend, "the machine is going to sleep"
	}
	s.write(Event{Kind: k, At: ev.At, Source: ev.Source, Slept: ev.Slept, Message: verb})
}

func findingEvent(f diagnose.Finding, r monitor.Report, trigger string) Event {
	return Event{Kind: Kind(f.Cause), At: r.At, Resource: f.Resource, Cause: f.Cause, Holders: f.Holders,
		Actions: f.Actions, Trigger: trigger, Message: f.Message}
}

func joinActions(as []diagnose.Action) string {
	s := ""
	for i, a := range as {
		if i > 0 {
			s += ", "
		}
		s += string(a)
	}
	return s
}

func (s *Sink) write(e Event) {
	err := s.W.Write(e)
	switch {
	case err != nil && !s.failing:
		s.failing = true
		if s.Log != nil {
			s.Log.Warn("event sink failed; later failures are not logged until it works again", "event", string(e.Kind), "err", err)
		}
	case err == nil && s.failing:
		s.failing = false
		if s.Log != nil {
			s.Log.Info("event sink works again")
		}
	}
}
