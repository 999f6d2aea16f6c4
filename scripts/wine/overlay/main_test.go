// The generator runs on the build host of the Windows lane (Linux), with
// the go command at hand; the lane does not run it under Wine.

//go:build !windows

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goroot is `go env GOROOT`, as scripts/test-windows.sh passes it.
func goroot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// TestPatchesApplyToThisGo: both edits find their text exactly once in the
// GOROOT that builds this test, so a Go upgrade that moves either spot fails
// here, in the Linux lane, before the Windows lane builds anything.
func TestPatchesApplyToThisGo(t *testing.T) {
	dir, root := t.TempDir(), goroot(t)
	path, err := write(root, dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ov struct{ Replace map[string]string }
	if err := json.Unmarshal(b, &ov); err != nil || len(ov.Replace) != len(patches) {
		t.Fatalf("overlay.json: %v, %d entries, want %d:\n%s", err, len(ov.Replace), len(patches), b)
	}
	for _, p := range patches {
		orig := filepath.Join(root, "src", filepath.FromSlash(p.file))
		copy, ok := ov.Replace[orig]
		if !ok {
			t.Fatalf("%s not replaced", orig)
		}
		got, err := os.ReadFile(copy)
		if err != nil {
			t.Fatal(err)
		}
		src, _ := os.ReadFile(orig)
		if want := strings.Replace(string(src), p.old, p.new, 1); string(got) != want {
			t.Errorf("%s: the copy is not the original with exactly one edit", p.file)
		}
	}
}

func TestApplyRefusesMissingOrRepeatedText(t *testing.T) {
	p := patch{file: "x.go", old: "a\n", new: "b\n"}
	if _, err := apply([]byte("c\n"), p); err == nil || !strings.Contains(err.Error(), "x.go: the text to patch is not there") {
		t.Errorf("missing text: %v", err)
	}
	if _, err := apply([]byte("a\na\n"), p); err == nil || !strings.Contains(err.Error(), "occurs 2 times") {
		t.Errorf("repeated text: %v", err)
	}
	if got, err := apply([]byte("x\na\ny\n"), p); err != nil || string(got) != "x\nb\ny\n" {
		t.Errorf("apply = %q, %v", got, err)
	}
}
