package fleet

import (
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/trigger"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// A VPN client's failure reaches the real journald as vpn-failed, with the
// connection, the client's own line and the holder; journalctl -x explains
// it from the catalog. A failure with nothing held is recorded too.
func TestVPNFailedRealJournald(t *testing.T) {
	pid, sock := realJournal(t)
	j := &Journal{Socket: sock}
	defer j.Close()
	s := &Sink{W: j}
	res := vpnport.Resource{Kind: vpnport.UDP, Port: 1194}
	held := diagnose.Finding{Resource: res, Cause: diagnose.OtherApp, Holders: []vpnport.Holder{{PID: 4711, Name: "socat"}},
		Actions: []diagnose.Action{diagnose.Retry}, Message: "udp/1194 is held by socat (PID 4711)."}
	line := "TCP/UDP: Socket bind failed on local address [AF_INET][undef]:1194: Address already in use (errno=98)"
	s.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Failure}, At: time.Now(), Failures: []monitor.FailureOutcome{
		{Event: trigger.Event{Kind: trigger.Failed, Source: "journald", Connection: "work", Program: "openvpn", Code: "EADDRINUSE", Line: line},
			Findings: []diagnose.Finding{held}},
		{Event: trigger.Event{Kind: trigger.Failed, Source: "networkmanager", Connection: "home", Code: "login-failed"}},
		{Event: trigger.Event{Kind: trigger.Connected, Source: "journald", Connection: "work"}},
	}})
	var out string
	waitFor(t, func() bool {
		out = journalctl(t, pid, "-o", "verbose", "TRAYCHECK_EVENT=vpn-failed")
		return strings.Count(out, "TRAYCHECK_EVENT=vpn-failed") == 2
	})
	for _, want := range []string{"MESSAGE_ID=699203781db2f79678dbcaa0bce7ef68", "TRAYCHECK_CONNECTION=work", "TRAYCHECK_CLIENT_CODE=EADDRINUSE",
		"TRAYCHECK_CLIENT_LINE=" + line, "TRAYCHECK_HOLDER_NAME=socat", "TRAYCHECK_RESOURCE=udp/1194", "TRAYCHECK_CONNECTION=home",
		"MESSAGE=VPN home failed (login-failed): nothing held, not a port or device conflict"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %s in:\n%s", want, out)
		}
	}
	x := journalctl(t, pid, "-x", "TRAYCHECK_CONNECTION=work")
	if !strings.Contains(x, "The VPN connection work (openvpn, seen through journald) reported a failure with code EADDRINUSE") {
		t.Errorf("journalctl -x does not explain it:\n%s", x)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the journal entries")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
