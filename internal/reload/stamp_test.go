package reload

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// tree makes a directory shaped like a busy ~/.config: 40 programs' dirs
// with subdirectories (about 300 directories in all) and some files.
func tree(t testing.TB) string {
	root := t.TempDir()
	for i := range 40 {
		for j := range 6 {
			d := filepath.Join(root, fmt.Sprintf("prog%d", i), fmt.Sprintf("sub%d", j))
			if err := os.MkdirAll(d, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d, "state.json"), []byte("{}"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

// A file created deep in a watched directory, a file edited, and a file
// appearing where there was none each change the stamp; nothing else does.
func TestStampSeesChanges(t *testing.T) {
	root := tree(t)
	cfg := filepath.Join(t.TempDir(), "config.toml")
	files, dirs := []string{cfg}, []string{root}
	var p poller
	s0 := p.stamp(files, dirs)
	if p.stamp(files, dirs) != s0 {
		t.Fatal("the stamp of an unchanged tree changed")
	}
	if err := os.WriteFile(cfg, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	s1 := p.stamp(files, dirs)
	if s1 == s0 {
		t.Error("a file appearing did not change the stamp")
	}
	prof := filepath.Join(root, "prog3", "sub2", "work.ovpn")
	if err := os.WriteFile(prof, []byte("client\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Directory times have a coarse grain on some file systems: make the
	// change visible whatever the grain.
	future := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Dir(prof), future, future); err != nil {
		t.Fatal(err)
	}
	if p.stamp(files, dirs) == s1 {
		t.Error("a profile created three levels down did not change the stamp")
	}
}

// BenchmarkStamp is the live reload's idle cost per poll (every 2 s): a
// ~300-directory tree like ~/.config and a few files, after the first poll
// (which reads each directory once; later ones only stat).
func BenchmarkStamp(b *testing.B) {
	root := tree(b)
	files := []string{filepath.Join(root, "config.toml"), "/etc/traycheck/policy.toml", filepath.Join(root, "prog1", "sub1", "state.json")}
	dirs := []string{root, filepath.Join(root, "none")}
	var p poller
	p.stamp(files, dirs) // the first poll reads every directory once
	b.ReportAllocs()
	for b.Loop() {
		p.stamp(files, dirs)
	}
}
