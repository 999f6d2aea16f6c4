package safetext

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostileNames are what any local user can name a process or a path: C1
// controls (U+009B is an 8-bit CSI), bidi overrides and isolates, a
// zero-width joiner, the line and paragraph separators, DEL, a format
// character outside the BMP (U+E0001, a language tag).
var hostileNames = []string{
	"\u009b31mred\u0085next", "/tmp/\u202egpj.exe", "a\u2066b\u2069c", "zw\u200dj", "line\u2028para\u2029end",
	"del\x7f", "tag\U000E0001", "esc\x1b[2J", "plain python3",
}

func TestEscapeJSONIsFaithfulAndSafe(t *testing.T) {
	for _, name := range hostileNames {
		raw, err := json.Marshal(map[string]any{"name": name, "cmdline": []string{name, "x"}})
		if err != nil {
			t.Fatal(err)
		}
		got := EscapeJSON(raw)
		if !json.Valid(got) {
			t.Fatalf("%q: invalid JSON %s", name, got)
		}
		for _, r := range string(got) {
			if IsHidden(r) {
				t.Errorf("%q: raw %U left in %s", name, r, got)
			}
		}
		var back struct {
			Name    string   `json:"name"`
			Cmdline []string `json:"cmdline"`
		}
		if err := json.Unmarshal(got, &back); err != nil || back.Name != name || back.Cmdline[0] != name {
			t.Errorf("%q: decodes to %q %q (%v)", name, back.Name, back.Cmdline, err)
		}
	}
	clean := []byte(`{"name":"python3"}`)
	if got := EscapeJSON(clean); &got[0] != &clean[0] {
		t.Error("clean JSON was copied")
	}
}

func TestPrintableSeparators(t *testing.T) {
	if got := Printable("line\u2028para\u2029end\u0085x"); got != "line para end x" {
		t.Errorf("Printable = %q", got)
	}
}

func FuzzEscapeJSON(f *testing.F) {
	for _, n := range hostileNames {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, s string) {
		raw, err := json.Marshal(s)
		if err != nil {
			t.Skip()
		}
		got := EscapeJSON(raw)
		if !json.Valid(got) {
			t.Fatalf("invalid JSON %q from %q", got, s)
		}
		var a, b string
		json.Unmarshal(raw, &a)
		json.Unmarshal(got, &b)
		if a != b {
			t.Fatalf("decodes to %q, want %q", b, a)
		}
		if !utf8.Valid(got) || strings.ContainsFunc(string(got), IsHidden) {
			t.Fatalf("hidden rune left in %q", got)
		}
	})
}
