package monitor

import (
	"fmt"
	"log/slog"

	"github.com/traycheck/traycheck/internal/power"
	"github.com/traycheck/traycheck/internal/report"
)

// JournalSink records the loop's history in the helpdesk journal that
// `traycheck report` reads back: every transition, every action's outcome
// and every suspend and resume. A nil journal records nothing.
type JournalSink struct{ J *report.Journal }

func (s JournalSink) Checking(Trigger) {}

func (s JournalSink) Result(r Report) {
	for _, f := range r.Transitions {
		s.write(report.Event{At: r.At, Kind: "finding", Resource: f.Resource.String(), What: string(f.Cause), Detail: f.Message})
	}
	if o := r.Action; o != nil {
		ev := report.Event{At: r.At, Kind: "action", Resource: o.Request.Resource.String(), What: string(o.Request.Action),
			Detail: "done: " + o.Result.Message}
		switch {
		case o.Confirm != nil:
			ev.Detail = "asked: " + o.Confirm.Prompt()
		case o.Err != nil:
			ev.Detail = "failed: " + o.Err.Error()
		}
		s.write(ev)
	}
}

func (s JournalSink) Power(ev power.Event) {
	detail := fmt.Sprintf("slept %s (%s)", ev.Slept.Round(1e9), ev.Source)
	if ev.Kind != power.Resume {
		detail = "source " + ev.Source
	}
	s.write(report.Event{At: ev.At, Kind: "power", What: ev.Kind.String(), Detail: detail})
}

func (s JournalSink) write(ev report.Event) {
	// The journal serves the report; losing a line must not stop the loop,
	// but it should not pass silently either.
	if err := s.J.Write(ev); err != nil {
		slog.Warn("writing the journal", "err", err)
	}
}
