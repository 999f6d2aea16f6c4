package remedy

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/testenv"
)

// TestResetAdapterInNamespace runs the real `ip link set` commands against a
// veth pair inside a private network namespace, so the host's interfaces are
// never touched. The elevation edge is swapped for `ip netns exec`, which is
// the one thing that differs from production.
func TestResetAdapterInNamespace(t *testing.T) {
	testenv.Root(t)
	ip := testenv.LookPath(t, "ip")
	ns := "tc-remedy-" + strconv.Itoa(os.Getpid())
	if out, err := exec.Command(ip, "netns", "add", ns).CombinedOutput(); err != nil {
		testenv.Missing(t, "network namespaces: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command(ip, "netns", "del", ns).Run() })
	inNS := func(argv ...string) (string, error) {
		out, err := exec.Command(ip, append([]string{"netns", "exec", ns}, argv...)...).CombinedOutput()
		return string(out), err
	}
	if out, err := inNS(ip, "link", "add", "tca0", "type", "veth", "peer", "name", "tca1"); err != nil {
		testenv.Missing(t, "veth in a namespace: %v: %s", err, out)
	}
	if out, err := inNS(ip, "link", "set", "dev", "tca0", "up"); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	isUp := func() bool {
		out, err := inNS(ip, "-o", "link", "show", "dev", "tca0")
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		_, flags, _ := strings.Cut(out, "<")
		flags, _, _ = strings.Cut(flags, ">")
		return strings.Contains(","+flags+",", ",UP,")
	}
	var states []bool
	r := New(Options{
		GOOS:           "linux",
		Adapter:        "tca0",
		NetworkManager: func(context.Context) bool { return false },
		Elevated: func(_ context.Context, argv []string) ([]byte, error) {
			out, err := inNS(argv...)
			states = append(states, isUp())
			return []byte(out), err
		},
	})
	req := Request{Action: diagnose.ResetAdapter, Finding: finding(diagnose.ResetAdapter), Confirmed: true}
	if _, err := r.Do(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if len(states) != 2 || states[0] || !states[1] {
		t.Fatalf("link UP after each step = %v, want [false true] (down, then up)", states)
	}

	// A missing interface: the real error from ip is reported, not swallowed.
	r.o.Adapter = "tca9"
	states = nil
	_, err := r.Do(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "tca9") {
		t.Fatalf("reset of a missing adapter: err %v", err)
	}
}
