package findingprint

import (
	"bytes"
	"flag"
	"io"
	"os"
	"testing"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// TestDetectPipe: a pipe gets neither colour nor wrapping unless asked
// for colour outright (--color=always, CLICOLOR_FORCE), and never a width.
func TestDetectPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	cases := []struct {
		name  string
		mode  ColorMode
		env   map[string]string
		color bool
	}{
		{"auto", ColorAuto, map[string]string{"TERM": "xterm", "COLUMNS": "100"}, false},
		{"always", ColorAlways, map[string]string{"NO_COLOR": "1"}, true},
		{"clicolor_force", ColorAuto, map[string]string{"CLICOLOR_FORCE": "1"}, true},
		{"clicolor_force_0", ColorAuto, map[string]string{"CLICOLOR_FORCE": "0"}, false},
		{"no_color_beats_force", ColorAuto, map[string]string{"CLICOLOR_FORCE": "1", "NO_COLOR": "1"}, false},
		{"never_beats_force", ColorNever, map[string]string{"CLICOLOR_FORCE": "1"}, false},
	}
	for _, tc := range cases {
		st := Detect(w, tc.mode, envOf(tc.env))
		if st.Color != tc.color || st.Width != 0 {
			t.Errorf("%s: %+v, want colour %v and no width", tc.name, st, tc.color)
		}
	}
	// Not a file at all (a buffer in a test, a network stream).
	if st := Detect(&bytes.Buffer{}, ColorAuto, envOf(map[string]string{"TERM": "xterm"})); st != (Style{}) {
		t.Errorf("a buffer got %+v", st)
	}
}

func TestColorFlag(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	m := ColorFlag(fs)
	q := QuietFlag(fs, "quiet")
	if err := fs.Parse([]string{"--color=never", "-q"}); err != nil || *m != ColorNever || !*q {
		t.Fatalf("parse: %v, mode %v, quiet %v", err, *m, *q)
	}
	if err := fs.Parse([]string{"--color=sometimes"}); err == nil {
		t.Error("--color=sometimes was accepted")
	}
}
