package fleet

import (
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/trigger"
)

// failureEvents are the vpn-failed events of a report: one per failure a
// VPN client announced, with the first held resource and its holder when
// the check found one. A failure with nothing held is recorded too (the
// fleet sees every failure; the user is told only of conflicts).
func failureEvents(r monitor.Report) []Event {
	var out []Event
	for _, fo := range r.Failures {
		ev := fo.Event
		if ev.Kind != trigger.Failed {
			continue
		}
		e := Event{Kind: VPNFailed, At: ev.At, Trigger: string(r.Trigger.Kind), Source: ev.Source,
			Connection: ev.Name(), Program: ev.Program, Code: ev.Code, Line: ev.Line,
			Message: "VPN " + ev.Name() + " failed"}
		if ev.Code != "" {
			e.Message += " (" + ev.Code + ")"
		}
		if held := fo.Held(); len(held) > 0 {
			f := held[0]
			e.Resource, e.Cause, e.Holders, e.Actions = f.Resource, f.Cause, f.Holders, f.Actions
			e.Message += ": " + f.Message
		} else {
			e.Message += ": nothing held, not a port or device conflict"
		}
		out = append(out, e)
	}
	return out
}
