package main

import (
	"log/slog"

	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/power"
)

// journal is the monitor sink that records what happened in the log: every
// transition and every suspend/resume, one line each with stable attribute
// names. `traycheck report` reads them back from the bounded log file
// (internal/report.ParseLog) for the helpdesk's "recent findings" and "last
// suspend/resume", so the attribute names here are a contract with it.
type journal struct{ log *slog.Logger }

func (j journal) Checking(monitor.Trigger) {}

func (j journal) Result(r monitor.Report) {
	if j.log == nil {
		return
	}
	if r.Err != nil {
		j.log.Warn("check failed", "trigger", string(r.Trigger.Kind), "err", r.Err)
		return
	}
	for _, f := range r.Transitions {
		j.log.Info("finding", "resource", f.Resource.String(), "cause", string(f.Cause), "message", f.Message)
	}
}

func (j journal) Power(ev power.Event) {
	if j.log == nil {
		return
	}
	j.log.Info("power event", "power", ev.Kind.String(), "slept", ev.Slept.Round(1e9).String(), "source", ev.Source)
}
