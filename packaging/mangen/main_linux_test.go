package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.RemoveBuilt()
	os.Exit(code)
}

// The page made from the real binary's help has every command with its
// flags, and groff reads it without a single warning.
func TestPageFromBuiltBinary(t *testing.T) {
	groff := testenv.LookPath(t, "groff")
	h, err := readHelp(testenv.Traycheck(t))
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if err := render(&page, h, readmeExamples(string(readme)), "9.8.7", time.Now()); err != nil {
		t.Fatal(err)
	}
	want := []string{".SS check\n", `\-\-json`, ".SS autostart\n", "usage: traycheck autostart enable|disable|status", ".SS version\n",
		".SS completion\n", "usage: traycheck config init", `\-\-force`, ".B 130\n", ".B 143\n", ".SH EXAMPLES\n.PP\n.RS\n.nf\ntraycheck check\n"}
	// CAUSES and ACTIONS come from diagnose's tables through the help:
	// every id is there, none missing, none stale.
	for _, c := range diagnose.Causes {
		want = append(want, ".TP\n.B "+roff(string(c))+"\n"+roff(diagnose.CauseDoc(c)))
	}
	for _, a := range diagnose.Actions {
		want = append(want, ".TP\n.B "+roff(string(a))+"\n")
	}
	if strings.Contains(page.String(), "\n\\-json") || strings.Contains(page.String(), " \\-config") {
		t.Error("the page shows a Go-style single-dash flag")
	}
	for _, want := range want {
		if !strings.Contains(page.String(), want) {
			t.Errorf("page lacks %q", want)
		}
	}
	cmd := exec.Command(groff, "-man", "-ww", "-z", "-Tutf8")
	cmd.Stdin = &page
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("groff -ww: %v\n%s", err, out)
	}
}
