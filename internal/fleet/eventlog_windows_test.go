package fleet

import (
	"fmt"
	"os"
	"testing"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
	"golang.org/x/sys/windows/svc/eventlog"
)

// The writer path against the event log service of the system it runs on
// (Wine's in the Windows lane: it accepts the registration and the reports
// but keeps no log to read back, so the texts are checked on Linux by
// TestMessageTableCompiles). A source name of the test's own, removed after.
func TestEventLogWriter(t *testing.T) {
	src := fmt.Sprintf("traycheck-test-%d", os.Getpid())
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := eventlog.Install(src, exe, false, eventlog.Error|eventlog.Warning|eventlog.Info); err != nil {
		t.Fatalf("registering source %s: %v", src, err)
	}
	t.Cleanup(func() { eventlog.Remove(src) })
	w := &EventLog{Source: src}
	defer w.Close()
	for _, k := range []Kind{Kind(diagnose.OtherApp), Resume, ProbeError, ActionTaken} {
		e := Event{Kind: k, Resource: vpnport.Resource{Kind: vpnport.UDP, Port: 1194}, Message: "test " + string(k)}
		if err := w.Write(e); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	if err := w.Write(Event{Kind: "no-such-kind"}); err == nil {
		t.Error("an unknown kind was written")
	}
}
