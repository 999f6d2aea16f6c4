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
	if len(h.synopsis) != 2 || h.synopsis[0] != "traycheck [--json] [--config FILE]" || h.synopsis[1] != "traycheck COMMAND [FLAGS] [ARGS]" {
		t.Errorf("synopsis = %q", h.synopsis)
	}
	if len(h.description) != 1 || !strings.HasPrefix(h.description[0], "With no command") {
		t.Errorf("description = %q", h.description)
	}
	names := map[string]string{}
	for _, c := range h.commands {
		names[c.name] = c.summary
	}
	for _, want := range []string{"check", "watch", "explain", "autostart", "version", "completion", "help"} {
		if names[want] == "" {
			t.Errorf("command %q missing or without summary: %v", want, names)
		}
	}
	wantExits := []exitCode{{"0", "all clear"}, {"1", "conflict found"}, {"2", "usage or config error"}, {"3", "probe failed"},
		{"130", "ended by Ctrl-C (SIGINT) while stuck or at a second Ctrl-C"}, {"143", "ended by SIGTERM while stuck or at a second one"}}
	if len(h.flags) != 4 || !strings.Contains(h.flags[0], "--config FILE") {
		t.Errorf("flags = %q", h.flags)
	}
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
		commands:    []helpCommand{{name: "check", summary: "check once", usage: "usage: traycheck check [--json]\n      --json  print JSON\n"}},
		flags:       []string{"  -V, --version  print the version"},
		exits:       []exitCode{{"0", "all clear"}},
		causes:      []glossaryEntry{{"time-wait", "only TIME_WAIT sockets remain"}},
		actions:     []glossaryEntry{{"wait", "checks again later"}},
	}
	var b bytes.Buffer
	ex := readmeExamples("text\n$ traycheck check tcp/8080          # right after a connection on it closed\nPROBLEM ...\n$ traycheck explain 'bind: in use\n$ ssh -L 8080:x:1 y'\n")
	if len(ex) != 2 || ex[0].comment != "right after a connection on it closed" || ex[1].command != "traycheck explain 'bind: in use\n$ ssh -L 8080:x:1 y'" {
		t.Errorf("examples = %q", ex)
	}
	if err := render(&b, h, ex, "1.2.3", time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)); err != nil {
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
		".I /etc/traycheck/policy.toml",
		".SH OPTIONS\n.TP\n.B \\-V, \\-\\-version\nprint the version\n",
		".SH CAUSES\n", ".TP\n.B time\\-wait\nonly TIME_WAIT sockets remain\n",
		".SH ACTIONS\n", ".TP\n.B wait\n",
		".SH ENVIRONMENT\n", ".B TRAYCHECK_PROC_WALK\n", ".B TRAYCHECK_DEBUG\n", ".B NO_COLOR\n", ".B CLICOLOR_FORCE\n",
		".SH EXAMPLES\n.PP\nRight after a connection on it closed:\n.RS\n.nf\ntraycheck check tcp/8080\n",
		".SH SEE ALSO\n.BR ss (8),\n.BR lsof (8),\n.BR journalctl (1)\n",
		"_traycheck", "/usr/share/traycheck/schema/",
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
