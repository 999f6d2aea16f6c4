package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/testenv"
)

// TestJSONEscapesHostileHolders stages issue 17's finding for real: a
// program whose path and process name carry an 8-bit CSI (U+009B), a NEL
// (U+0085), a bidi override (U+202E) and a line separator (U+2028) holds a
// UDP port in a private network namespace, and `traycheck check --json`
// and `report --json` must carry none of them raw, stay valid JSON, and
// still decode to the holder's true path.
func TestJSONEscapesHostileHolders(t *testing.T) {
	ns := testenv.NewNetNS(t)
	socat := testenv.LookPath(t, "socat")
	bin, err := exec.LookPath("traycheck")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "gpj\u202e\u2028x")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "ev\u009b31m\u0085il")
	data, err := os.ReadFile(socat)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, data, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	testenv.Start(t, ns.Command(ctx, exe, "UDP4-RECVFROM:4999,bind=127.0.0.1", "STDOUT"))

	cfg := filepath.Join(t.TempDir(), "c.toml")
	if err := os.WriteFile(cfg, []byte("[vpn]\nports = [\"udp/4999\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, env := privateHome(t)
	run := func(args ...string) []byte {
		cmd := ns.Command(ctx, bin, args...)
		cmd.Env = append(os.Environ(), env...)
		out, _ := cmd.Output()
		return out
	}
	var doc struct {
		Findings []struct {
			Holders []struct {
				Name string `json:"name"`
				Exe  string `json:"exe"`
			} `json:"holders"`
		} `json:"findings"`
	}
	var out []byte
	testenv.WaitFor(t, 10*time.Second, "the hostile holder to be seen", func() bool {
		out = run("check", "--json", "udp/4999")
		doc.Findings = nil
		return json.Unmarshal(out, &doc) == nil && len(doc.Findings) == 1 && len(doc.Findings[0].Holders) == 1
	})
	if h := doc.Findings[0].Holders[0]; h.Exe != exe || !strings.HasPrefix(h.Name, "ev\u009b") {
		t.Errorf("holder decoded as name %q exe %q, want the true path %q", h.Name, h.Exe, exe)
	}
	for name, b := range map[string][]byte{"check --json": out, "report --json": run("report", "--json", "--full", "--config", cfg)} {
		if !json.Valid(b) {
			t.Errorf("%s: invalid JSON:\n%s", name, b)
		}
		for _, r := range []string{"\u009b", "\u0085", "\u202e", "\u2028"} {
			if strings.Contains(string(b), r) {
				t.Errorf("%s carries raw %+q", name, r)
			}
		}
		if !strings.Contains(string(b), `ev\u009b31m\u0085il`) {
			t.Errorf("%s does not carry the escaped name:\n%s", name, b)
		}
	}
}
