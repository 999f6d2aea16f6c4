//go:build !windows && !darwin

// The machine policy is a TOML file only here (the registry on Windows, a
// managed plist on macOS); the poll itself is OS-neutral (stamp_test.go).

package reload

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/discover"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// deadline is generous: the poll is 100 ms here, and a loaded machine
// must not fail the test; nothing is asserted about how fast it was.
const deadline = 10 * time.Second

type applied struct {
	l       discover.Layers
	changed []string
}

type failed struct {
	err    error
	policy bool
}

type rig struct {
	dir, user, policy, ovpn string
	src                     discover.Sources
	applied                 chan applied
	failed                  chan failed
}

// newRig runs the reload on real files in a temporary directory: the
// user's file, a machine policy path, and an OpenVPN directory discovery
// reads.
func newRig(t *testing.T, userText string) *rig {
	dir := t.TempDir()
	r := &rig{dir: dir, user: filepath.Join(dir, "config", "config.toml"), policy: filepath.Join(dir, "policy.toml"),
		ovpn: filepath.Join(dir, "openvpn"), applied: make(chan applied, 16), failed: make(chan failed, 16)}
	old := config.PolicyPath
	config.PolicyPath = r.policy
	t.Cleanup(func() { config.PolicyPath = old })
	r.src = discover.Sources{OpenVPN: []string{r.ovpn}}
	if err := os.MkdirAll(filepath.Join(r.ovpn, "client"), 0o700); err != nil {
		t.Fatal(err)
	}
	r.write(t, filepath.Join(r.ovpn, "client", "office.conf"), "client\nremote vpn.example.com\nport 1195\n")
	r.write(t, r.user, userText)
	load := func(ctx context.Context) (discover.Layers, error) { return discover.Load(ctx, r.user, r.src, nil) }
	cur, err := load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(ctx, Options{Load: load, UserPath: r.user, Sources: r.src, Interval: 100 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Apply: func(l discover.Layers, ch []string) { r.applied <- applied{l, ch} },
			Fail:  func(err error, policy bool) { r.failed <- failed{err, policy} }}, cur)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

func (r *rig) write(t *testing.T, p, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	// Through a rename, as editors save: a reader never sees half a file.
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
}

func (r *rig) nextApplied(t *testing.T) applied {
	t.Helper()
	select {
	case a := <-r.applied:
		return a
	case f := <-r.failed:
		t.Fatalf("reload failed: %v", f.err)
	case <-time.After(deadline):
		t.Fatal("no reload")
	}
	return applied{}
}

func (r *rig) nextFailed(t *testing.T) failed {
	t.Helper()
	select {
	case a := <-r.applied:
		t.Fatalf("a bad edit was applied: %v", a.changed)
	case f := <-r.failed:
		return f
	case <-time.After(deadline):
		t.Fatal("a bad edit was not reported")
	}
	return failed{}
}

func watches(l discover.Layers, res string) bool {
	return slices.ContainsFunc(l.Effective.Resources(), func(r vpnport.Resource) bool { return r.String() == res })
}

// An edit puts the new resource in force; a bad edit keeps the last good
// config and names the file and line; putting it right applies again.
func TestEditAndBadEdit(t *testing.T) {
	r := newRig(t, "[check]\ninterval = \"45s\"\n")
	r.write(t, r.user, "[check]\ninterval = \"45s\"\n[ssh]\nforward_ports = [15432]\n")
	a := r.nextApplied(t)
	if !watches(a.l, "tcp/15432") || !watches(a.l, "udp/1195") {
		t.Fatalf("after the edit: %v", a.l.Effective.Resources())
	}
	if len(a.changed) != 1 || !strings.HasPrefix(a.changed[0], "ssh.forward_ports: [] (default) -> [15432] (user)") {
		t.Errorf("changed: %q", a.changed)
	}

	r.write(t, r.user, "[check]\ninterval = \"45s\"\n[ssh]\nforward_ports = [99999]\n")
	f := r.nextFailed(t)
	if f.policy || !strings.HasPrefix(f.err.Error(), r.user+":4:") || !strings.Contains(f.err.Error(), "99999") {
		t.Errorf("bad edit: %v (policy %v), want %s:4:…", f.err, f.policy, r.user)
	}

	r.write(t, r.user, "[check]\ninterval = \"45s\"\n[ssh]\nforward_ports = [15433]\n")
	if a := r.nextApplied(t); !watches(a.l, "tcp/15433") || watches(a.l, "tcp/15432") {
		t.Fatalf("after the fix: %v", a.l.Effective.Resources())
	}
}

// A profile added to a directory discovery reads is watched without a
// restart.
func TestNewProfileIsWatched(t *testing.T) {
	r := newRig(t, "")
	r.write(t, filepath.Join(r.ovpn, "client", "home.ovpn"), "client\nremote home.example.com\nport 1196\n")
	a := r.nextApplied(t)
	if !watches(a.l, "udp/1196") || !watches(a.l, "udp/1195") {
		t.Fatalf("after the new profile: %v", a.l.Effective.Resources())
	}
	if !slices.ContainsFunc(a.changed, func(s string) bool { return strings.HasPrefix(s, "vpn.ports:") }) {
		t.Errorf("changed: %q", a.changed)
	}
}

// The machine policy is re-read the same way: a good one applies, a
// malformed one keeps the last good one and is reported as the policy's.
func TestPolicyReload(t *testing.T) {
	r := newRig(t, "")
	r.write(t, r.policy, "[check]\ninterval = \"10s\"\n")
	if a := r.nextApplied(t); a.l.Effective.Interval != 10*time.Second || a.l.Policy == nil {
		t.Fatalf("policy not applied: %+v", a.l.Effective)
	}
	r.write(t, r.policy, "[vpn]\nports = [\"udp/0\"]\n")
	f := r.nextFailed(t)
	if !f.policy || !strings.HasPrefix(f.err.Error(), r.policy+":2:") {
		t.Errorf("bad policy: %v (policy %v)", f.err, f.policy)
	}
}
