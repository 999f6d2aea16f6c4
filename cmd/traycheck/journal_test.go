package main

import (
	"bytes"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/power"
	"github.com/traycheck/traycheck/internal/report"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// TestJournalFeedsTheReport pins the contract between what the long-running
// modes write to the log and what `traycheck report` reads back.
func TestJournalFeedsTheReport(t *testing.T) {
	var buf bytes.Buffer
	j := journal{slog.New(slog.NewTextHandler(&buf, nil))}
	f := diagnose.Diagnose(vpnport.Observation{Resource: vpnport.Resource{Kind: vpnport.UDP, Port: 1194},
		Sockets: []vpnport.Socket{{State: vpnport.StateUnconn, Inode: 9, PIDs: []int{42}}},
		Holders: []vpnport.Holder{{PID: 42, Name: "python3", Exe: "/usr/bin/python3"}}}, diagnose.Context{})

	j.Power(power.Event{Kind: power.Suspend, Source: "logind"})
	j.Power(power.Event{Kind: power.Resume, Slept: 95 * time.Second, Source: "logind"})
	j.Result(monitor.Report{Findings: []diagnose.Finding{f}, Transitions: []diagnose.Finding{f}})
	j.Result(monitor.Report{Findings: []diagnose.Finding{f}}) // no transition: nothing logged
	j.Result(monitor.Report{Err: errors.New("netlink: permission denied")})

	evs := report.ParseLog(&buf)
	if len(evs) != 3 {
		t.Fatalf("got %d events, want suspend, resume, finding: %+v\nlog:\n%s", len(evs), evs, buf.String())
	}
	if evs[1].Kind != "power" || evs[1].What != "resume" || evs[1].Detail != "slept 1m35s (logind)" {
		t.Errorf("resume event = %+v", evs[1])
	}
	if evs[2].Kind != "finding" || evs[2].What != "other-app" || evs[2].Resource != "udp/1194" || evs[2].Detail != f.Message {
		t.Errorf("finding event = %+v", evs[2])
	}
	sus, res := report.LastPower(evs)
	if sus.IsZero() || res.IsZero() || res.Before(sus) {
		t.Errorf("LastPower = %v, %v", sus, res)
	}
}
