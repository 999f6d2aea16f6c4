package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

// testdata/help.txt is `traycheck help` as captured from a build.
func TestParseHelp(t *testing.T) {
	b, err := os.ReadFile("testdata/help.txt")
	if err != nil {
		t.Fatal(err)
	}
	h, err := parseHelp(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.synopsis) != 1 || h.synopsis[0] != "traycheck [COMMAND] [FLAGS]" {
		t.Errorf("synopsis = %q", h.synopsis)
	}
	if len(h.description) != 1 || !strings.HasPrefix(h.description[0], "With no command") {
		t.Errorf("description = %q", h.description)
	}
	names := map[string]string{}
	for _, c := range h.commands {
		names[c.name] = c.summary
	}
	for _, want := range []string{"check", "watch", "explain", "autostart", "version"} {
		if names[want] == "" {
			t.Errorf("command %q missing or without summary: %v", want, names)
		}
	}
	wantExits := []exitCode{{"0", "all clear"}, {"1", "conflict found"}, {"2", "usage or config error"}, {"3", "probe failed"}}
	if len(h.exits) != len(wantExits) {
		t.Fatalf("exits = %v, want %v", h.exits, wantExits)
	}
	for i := range wantExits {
		if h.exits[i] != wantExits[i] {
			t.Errorf("exit %d = %v, want %v", i, h.exits[i], wantExits[i])
		}
	}
}

// A help text that lost a section fails instead of producing a page with a
// hole in it.
func TestParseHelpRefusesIncompleteHelp(t *testing.T) {
	for name, text := range map[string]string{
		"no usage":    "commands:\n  check  x\n\nexit codes: 0 ok\n",
		"no commands": "usage: traycheck\n\nexit codes: 0 ok\n",
		"no exits":    "usage: traycheck\n\ncommands:\n  check  x\n",
		"bad exit":    "usage: traycheck\n\ncommands:\n  check  x\n\nexit codes: zero ok\n",
		"stray line":  "usage: traycheck\n\ncommands:\n  check  x\nnot indented\n\nexit codes: 0 ok\n",
		"no summary":  "usage: traycheck\n\ncommands:\n  check\n\nexit codes: 0 ok\n",
	} {
		if h, err := parseHelp(text); err == nil {
			t.Errorf("%s: parsed without error: %+v", name, h)
		}
	}
}

func TestRoffEscapes(t *testing.T) {
	for in, want := range map[string]string{
		`--json`:            `\-\-json`,
		`.starts a request`: `\&.starts a request`,
		`'also a request`:   `\&'also a request`,
		`C:\path`:           `C:\epath`,
		"plain":             "plain",
	} {
		if got := roff(in); got != want {
			t.Errorf("roff(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRenderSections(t *testing.T) {
	h := &help{
		synopsis:    []string{"traycheck [COMMAND]"},
		description: []string{"Runs as a tray icon."},
		commands:    []helpCommand{{name: "check", summary: "check once", usage: "usage: traycheck check [--json]\n  -json\n    \tprint JSON\n"}},
		exits:       []exitCode{{"0", "all clear"}},
	}
	var b bytes.Buffer
	if err := render(&b, h, "1.2.3", time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		".TH TRAYCHECK 1 \"2026-11-25\" \"traycheck 1.2.3\"",
		".SH NAME\ntraycheck \\- ",
		".B traycheck [COMMAND]\n",
		".SS check\ncheck once\n",
		"usage: traycheck check [\\-\\-json]\n",
		".SH EXIT STATUS\n.TP\n.B 0\nall clear\n",
		".I /etc/xdg/autostart/traycheck.desktop",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
}

func TestPageDate(t *testing.T) {
	d, err := pageDate("1764028800")
	if err != nil || d.Format("2006-01-02") != "2025-11-25" {
		t.Errorf("pageDate = %v, %v", d, err)
	}
	if _, err := pageDate("yesterday"); err == nil {
		t.Error("a non-numeric SOURCE_DATE_EPOCH was accepted")
	}
}
