package console

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/power"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// TestSinkJSON pins the `watch --json` line format, key by key, and
// which checks get a line.
func TestSinkJSON(t *testing.T) {
	var out bytes.Buffer
	c := &Sink{W: &out, JSON: true}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	free := diagnose.Finding{Resource: vpnport.Resource{Kind: vpnport.UDP, Port: 1194}, Cause: diagnose.Free,
		Holders: []vpnport.Holder{}, Actions: []diagnose.Action{}, Message: "udp/1194 is free."}

	c.Power(power.Event{Kind: power.Suspend, At: at, Source: "logind"})
	c.Power(power.Event{Kind: power.Resume, At: at, Slept: 94600 * time.Millisecond, Source: "logind"})
	c.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Interval}, First: true, At: at,
		Findings: []diagnose.Finding{free}, Transitions: []diagnose.Finding{free}})
	c.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Interval}, At: at, // quiet: no line
		Findings: []diagnose.Finding{free}})
	c.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Interval}, At: at, Err: errors.New("netlink refused")})
	c.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Interval}, At: at, Err: errors.New("netlink refused")}) // still failing: no line
	c.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Resume}, At: at, Findings: []diagnose.Finding{free}})

	want := `{"event":"suspend","slept_s":0,"source":"logind"}
{"event":"resume","slept_s":95,"source":"logind"}
{"event":"check","trigger":"interval","checked_at":"2026-01-02T03:04:05Z","findings":[{"resource":{"kind":"udp","port":1194},"cause":"free","holders":[],"time_wait_left_s":0,"actions":[],"message":"udp/1194 is free."}]}
{"event":"check","trigger":"interval","checked_at":"2026-01-02T03:04:05Z","findings":[],"error":"netlink refused"}
{"event":"check","trigger":"resume","checked_at":"2026-01-02T03:04:05Z","findings":[{"resource":{"kind":"udp","port":1194},"cause":"free","holders":[],"time_wait_left_s":0,"actions":[],"message":"udp/1194 is free."}]}
`
	if got := out.String(); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestSinkHuman(t *testing.T) {
	var out bytes.Buffer
	c := &Sink{W: &out}
	held := diagnose.Finding{Resource: vpnport.Resource{Kind: vpnport.UDP, Port: 1194}, Cause: diagnose.OtherApp,
		Message: "udp/1194 is held by nc (PID 42)."}
	c.Power(power.Event{Kind: power.Resume, Slept: 90 * time.Second, Source: "clock"})
	c.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Manual}, Findings: []diagnose.Finding{held}})
	got := out.String()
	for _, w := range []string{"resume after 1m30s asleep (clock)", "manual check:\n",
		"\nPROBLEM  other-app          udp/1194 is held by nc (PID 42).\n"} {
		if !strings.Contains(got, w) {
			t.Errorf("output lacks %q:\n%s", w, got)
		}
	}
}

// TestSinkQuiet: watch -q prints the findings that changed and the probe
// starting or stopping to fail, nothing else.
func TestSinkQuiet(t *testing.T) {
	var out bytes.Buffer
	c := &Sink{W: &out, Quiet: true}
	udp1194, tcp22 := vpnport.Resource{Kind: vpnport.UDP, Port: 1194}, vpnport.Resource{Kind: vpnport.TCP, Port: 22}
	held := diagnose.Finding{Resource: udp1194, Cause: diagnose.OtherApp, Message: "udp/1194 is held by nc (PID 42)."}
	free := diagnose.Finding{Resource: tcp22, Cause: diagnose.Free, Message: "tcp/22 is free."}
	c.Power(power.Event{Kind: power.Resume, Slept: 90 * time.Second, Source: "clock"})
	c.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Manual}, First: true,
		Findings: []diagnose.Finding{held, free}, Transitions: []diagnose.Finding{held}})
	c.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Resume}, Findings: []diagnose.Finding{held, free}})
	c.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Interval}, Err: errors.New("netlink refused")})
	got := out.String()
	for _, w := range []string{"first check:\n", "udp/1194 is held by nc", "interval check: cannot check: netlink refused"} {
		if !strings.Contains(got, w) {
			t.Errorf("output lacks %q:\n%s", w, got)
		}
	}
	for _, w := range []string{"resume", "tcp/22"} {
		if strings.Contains(got, w) {
			t.Errorf("quiet output has %q:\n%s", w, got)
		}
	}
}
