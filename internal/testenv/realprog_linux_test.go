package testenv

import (
	"context"
	"strings"
	"testing"
	"time"
)

// The namespace really is private: a socat listening in it is not seen from
// the host's namespace, and it is gone when the test's cleanup ran.
func TestNetNSIsPrivate(t *testing.T) {
	ns := NewNetNS(t)
	LookPath(t, "socat")
	p := Start(t, ns.Command(context.Background(), "socat", "-u", "UDP-RECV:1194,bind=127.0.0.1", "STDOUT"))
	WaitFor(t, 5*time.Second, "socat bound in the namespace", func() bool {
		out, _ := ns.Command(context.Background(), "ss", "-Hunl", "sport = :1194").Output()
		return strings.Contains(string(out), "1194")
	})
	if done, err := p.Exited(); done {
		t.Fatalf("socat exited: %v\n%s", err, p.Log.String())
	}
}
