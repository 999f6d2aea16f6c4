package discover

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// filepath.Glob is the oracle for what the bounded glob finds when its
// budget suffices.
func TestGlobMatchesFilepathGlob(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, p := range []string{"a/x.conf", "a/y.conf", "a/.h.conf", "b/x.conf", "b/c/z.conf", "top", "t[op"} {
		write(t, filepath.Join(dir, p), "")
	}
	plantFIFO(t, filepath.Join(dir, "fifo"))
	for _, pat := range []string{"*", "*/*.conf", "a/*", "?/x.conf", "*/c/*", "top", "absent", "*/absent", "fifo/*", "[ab]/x.conf", "t\\[op", "*/*/*"} {
		pat = filepath.Join(dir, pat)
		// On Windows a backslash is a separator, not an escape: there
		// "t\\[op" is a bad pattern for both.
		want, werr := filepath.Glob(pat)
		n := 1000
		got, cut, err := glob(pat, &n)
		if (err != nil) != (werr != nil) || cut || !slices.Equal(got, want) {
			t.Errorf("%s: got %v cut %v %v, want %v %v", pat, got, cut, err, want, werr)
		}
	}
	n := 1000
	if _, _, err := glob(filepath.Join(dir, "["), &n); err == nil {
		t.Error("bad pattern accepted")
	}
}

// `Include /*/*/*` over a wide tree stops at the discovery's budget of
// directory entries and says so.
func TestGlobFanOutIsBounded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i := 0; i < 20; i++ {
		for j := 0; j < 20; j++ {
			write(t, filepath.Join(dir, fmt.Sprint("d", i), fmt.Sprint("e", j), "f"), fmt.Sprintf("LocalForward %d h:1\n", 6000+i*20+j))
		}
	}
	write(t, filepath.Join(dir, "config"), "Include */*/f\n")
	b := newBudget()
	b.globEntries = 150
	f, ok := sshConfigFile(filepath.Join(dir, "config"), b)
	if !ok || len(f.Ports) == 0 || len(f.Ports) > 150 {
		t.Fatalf("%d ports", len(f.Ports))
	}
	if s := skipText(f); !strings.Contains(s, "config:1: include "+filepath.Join(dir, "*/*/f")+": stopped after looking at") {
		t.Errorf("skipped:\n%s", s)
	}
}
