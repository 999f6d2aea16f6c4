package monitor

import (
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/power"
	"github.com/traycheck/traycheck/internal/trigger"
	"github.com/traycheck/traycheck/internal/vpnport"
)

var tcp443 = vpnport.Resource{Kind: vpnport.TCP, Port: 443}

// An event checks at once, between interval checks, the resources it names
// even when they are not watched; a conflict it explains leaves the plain
// transitions (its own note tells it).
func TestFailureEventChecksAtOnce(t *testing.T) {
	h := start(t, nil)
	h.sink.next(t)
	h.waitArm(time.Hour)
	h.prober.set(heldBy("socat", 4711), nil)
	h.m.Failed(trigger.Event{Kind: trigger.Failed, Source: "journald", Connection: "work", Program: "openvpn",
		Code: "EADDRINUSE", Line: "bind: Address already in use", Resources: []vpnport.Resource{udp1194, tcp443}, Contended: true})
	r := h.sink.next(t)
	if r.Trigger.Kind != Failure || r.Trigger.Origin != OriginEvent {
		t.Fatalf("trigger %+v, want a failure check", r.Trigger)
	}
	if len(r.Failures) != 1 {
		t.Fatalf("%d failures, want 1", len(r.Failures))
	}
	held := r.Failures[0].Held()
	if len(held) != 2 || held[0].Resource != udp1194 || held[1].Resource != tcp443 || held[0].Holders[0].Name != "socat" {
		t.Fatalf("held %+v", held)
	}
	if len(r.Findings) != 1 || r.Findings[0].Resource != udp1194 {
		t.Fatalf("findings %+v: only the watched resource belongs there", r.Findings)
	}
	if len(r.Transitions) != 0 {
		t.Fatalf("transitions %v: the failure's note speaks for udp/1194", causes(r.Transitions))
	}
}

// A client that announces the same failure many times while a check runs
// makes one more check, not a queue.
func TestRetryingClientCoalesces(t *testing.T) {
	h := start(t, nil)
	h.sink.next(t)
	h.waitArm(time.Hour)
	gate := make(chan struct{})
	in := make(chan struct{}, 1)
	h.prober.mu.Lock()
	h.prober.gate, h.prober.in = gate, in
	h.prober.mu.Unlock()
	ev := trigger.Event{Kind: trigger.Failed, Source: "journald", Connection: "work", Resources: []vpnport.Resource{udp1194}}
	h.m.Failed(ev)
	<-in // the first check runs
	for i := 0; i < 10; i++ {
		ev.Line = "retry " + string(rune('0'+i))
		h.m.Failed(ev)
	}
	gate <- struct{}{}
	h.sink.next(t)
	<-in
	gate <- struct{}{}
	r := h.sink.next(t)
	if len(r.Failures) != 1 || r.Failures[0].Event.Line != "retry 9" {
		t.Fatalf("failures %+v, want the latest retry only", r.Failures)
	}
	h.prober.mu.Lock()
	h.prober.gate, h.prober.in = nil, nil
	h.prober.mu.Unlock()
	h.waitArm(time.Hour)
	h.quiet()
}

// During a resume's settle delay an event waits for the settle check, which
// answers it: the network is still coming back.
func TestFailureWaitsForWakeSettle(t *testing.T) {
	h := start(t, nil)
	h.sink.next(t)
	h.power <- power.Event{Kind: power.Resume, Source: "logind"}
	h.waitArm(time.Second)
	h.m.Failed(trigger.Event{Kind: trigger.Failed, Connection: "work", Resources: []vpnport.Resource{udp1194}})
	h.waitArm(time.Second)
	h.quiet()
	h.clock.Advance(time.Second)
	r := h.sink.next(t)
	if r.Trigger.Kind != Failure || len(r.Failures) != 1 || r.LastResume.IsZero() {
		t.Fatalf("trigger %v with %d failures, want the settle check answering the event", r.Trigger.Kind, len(r.Failures))
	}
	h.waitArm(2 * time.Second) // that was the settle check: next, the first backoff step
}

// A failure whose resources are free is no conflict: Held is empty.
func TestFailureWithNothingHeld(t *testing.T) {
	h := start(t, nil)
	h.sink.next(t)
	h.m.Failed(trigger.Event{Kind: trigger.Failed, Connection: "work", Code: "AUTH_FAILED", Resources: []vpnport.Resource{udp1194}})
	r := h.sink.next(t)
	if len(r.Failures) != 1 || len(r.Failures[0].Held()) != 0 || r.Failures[0].Findings[0].Cause != diagnose.Free {
		t.Fatalf("failures %+v", r.Failures)
	}
}

// A RAS failure falls back to the IPsec ports, which Windows's own IKE
// service holds while any IPsec VPN is up: that is the user's VPN
// working, never the holder to blame (explain counts it the same way).
func TestRASFailureSparesWindowsOwnVPNService(t *testing.T) {
	h := start(t, nil)
	h.sink.next(t)
	h.prober.set(heldBy("IKEEXT", 900), nil)
	udp500 := vpnport.Resource{Kind: vpnport.UDP, Port: 500}
	h.m.Failed(trigger.Event{Kind: trigger.Failed, Source: "rasclient", Connection: "work", Program: "rasdial",
		Code: "633", Resources: []vpnport.Resource{udp500}})
	r := h.sink.next(t)
	if len(r.Failures) != 1 || len(r.Failures[0].Findings) != 1 {
		t.Fatalf("failures %+v", r.Failures)
	}
	if f := r.Failures[0].Findings[0]; f.Cause != diagnose.VPNClient || len(r.Failures[0].Held()) != 0 {
		t.Fatalf("finding %+v: IKEEXT on udp/500 is the VPN working", f)
	}
}
