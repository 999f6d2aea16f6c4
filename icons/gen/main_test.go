package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCommittedIconsAreCurrent fails when someone edits the generator but
// forgets `go generate ./icons`, or edits a committed image by hand.
func TestCommittedIconsAreCurrent(t *testing.T) {
	dir := t.TempDir()
	os.Args = []string{"gen", "-o", dir}
	main()
	for _, s := range specs {
		for _, ext := range []string{".png", ".ico"} {
			want, err := os.ReadFile(filepath.Join(dir, s.name+ext))
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join("..", s.name+ext))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("icons/%s%s is stale: run go generate ./icons", s.name, ext)
			}
		}
	}
}
