package monitor

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

type configSink struct {
	*chanSink
	events chan ConfigEvent
}

func (s configSink) Config(ev ConfigEvent) { s.events <- ev }

func (s configSink) nextEvent(t *testing.T) ConfigEvent {
	t.Helper()
	select {
	case ev := <-s.events:
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no config event within 10s")
	}
	return ConfigEvent{}
}

// Reload swaps the watched resources at once (a check of the new set, not
// a person's: devices stay closed), a new resource is a transition, and a
// refused edit reaches the config sinks with its place while the resources
// stay; a refused policy is also a failed check for every sink.
func TestReloadSwapsResourcesAndReportsErrors(t *testing.T) {
	cs := configSink{chanSink: newChanSink(), events: make(chan ConfigEvent, 16)}
	h := start(t, func(h *harness, o *Options) { o.Sinks = []Sink{cs} })
	h.sink = cs.chanSink
	h.sink.next(t) // the first check
	h.waitArm(time.Hour)

	udp1195 := vpnport.Resource{Kind: vpnport.UDP, Port: 1195}
	next := &config.Config{Ports: []vpnport.Resource{udp1194, udp1195}, Interval: time.Hour}
	h.m.Reload(next, nil, []string{"vpn.ports: ..."})
	if ev := cs.nextEvent(t); ev.Err != nil || len(ev.Changed) != 1 {
		t.Errorf("reload event: %+v", ev)
	}
	r := h.sink.next(t)
	if r.Trigger.Origin != OriginConfig || r.Trigger.Kind != Interval || len(r.Findings) != 2 {
		t.Fatalf("check after the reload: %+v", r)
	}
	if len(r.Transitions) != 1 || r.Transitions[0].Resource != udp1195 {
		t.Errorf("transitions after the reload: %+v, want the new udp/1195 only", r.Transitions)
	}
	if opened := h.prober.opened; opened[len(opened)-1] {
		t.Error("the reload's check was allowed to open devices")
	}

	bad := &config.Error{File: "/home/u/.config/traycheck/config.toml", Line: 4, Col: 18, Msg: "forward port 99999 is out of range"}
	h.m.ConfigError(bad, false)
	ev := cs.nextEvent(t)
	if f, l := ev.File(); f != bad.File || l != 4 || ev.Policy {
		t.Errorf("error event: %+v (%s:%d)", ev, f, l)
	}
	h.m.CheckNow(OriginMenu)
	if r := h.sink.next(t); len(r.Findings) != 2 {
		t.Errorf("after a refused edit the loop watches %d resources, want the last good 2", len(r.Findings))
	}

	h.m.ConfigError(&config.Error{File: "/etc/traycheck/policy.toml", Line: 2, Msg: "bad port"}, true)
	if ev := cs.nextEvent(t); !ev.Policy {
		t.Errorf("policy event: %+v", ev)
	}
	r = h.sink.next(t)
	var ce *config.Error
	if r.Err == nil || !errors.As(r.Err, &ce) || !strings.Contains(r.Err.Error(), "policy.toml:2") {
		t.Errorf("a refused policy is not a probe error: %+v", r)
	}
	h.m.CheckNow(OriginMenu)
	if r := h.sink.next(t); r.Err != nil || !slices.ContainsFunc(r.Findings, func(f diagnose.Finding) bool { return f.Resource == udp1195 }) {
		t.Errorf("the loop stopped watching after a refused policy: %+v", r)
	}
}
