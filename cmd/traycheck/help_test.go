package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runInProcess runs args as main would, with the output captured.
func runInProcess(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	name, err := dispatch(context.Background(), e, args)
	return finish(e, name, err), out.String(), errb.String()
}

// Every command in the table answers --help, -h and `help CMD` with its
// usage on stdout and exit 0, and --version, -V and -v with the version:
// a command added later cannot miss them.
func TestEveryCommandHasHelpAndVersion(t *testing.T) {
	for _, c := range commands {
		want := "usage: traycheck " + c.name
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
			code, out, errs := runInProcess(args...)
			if code != 0 || !strings.HasPrefix(out, want) || errs != "" {
				t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 0 and %q on stdout", args, code, out, errs, want)
			}
		}
		for _, flag := range []string{"--version", "-V", "-v"} {
			code, out, _ := runInProcess(c.name, flag)
			if code != 0 || out != versionText()+"\n" {
				t.Errorf("%s %s: exit %d, stdout %q", c.name, flag, code, out)
			}
		}
	}
	if code, out, _ := runInProcess("--version"); code != 0 || !strings.HasPrefix(out, "traycheck "+version+" (go") {
		t.Errorf("--version: exit %d, %q", code, out)
	}
}

// Usage on stdout shows every flag GNU-style: no "-json" alone.
func TestHelpShowsGNUFlags(t *testing.T) {
	for _, c := range commands {
		_, out, _ := runInProcess("help", c.name)
		for _, l := range strings.Split(out, "\n") {
			f := strings.Fields(l)
			if len(f) > 0 && strings.HasPrefix(f[0], "-") && !strings.HasPrefix(f[0], "--") && len(strings.TrimRight(f[0], ",")) > 2 {
				t.Errorf("help %s: single-dash long flag in %q", c.name, l)
			}
		}
	}
}
