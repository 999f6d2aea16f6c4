package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

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
	if err := render(&page, h, "9.8.7", time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".SS check\n", `\-\-json`, ".SS autostart\n", "usage: traycheck autostart enable|disable|status", ".SS version\n"} {
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
