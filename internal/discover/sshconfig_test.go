package discover

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSSHIncludeRelativeAndNested(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	sshDir := filepath.Join(home, ".ssh")
	os.MkdirAll(filepath.Join(sshDir, "a"), 0o700)
	os.WriteFile(filepath.Join(sshDir, "config"), []byte("Host x\n  Include a/one\n"), 0o600)
	os.WriteFile(filepath.Join(sshDir, "a", "one"), []byte("LocalForward 2000 h:1\nInclude a/two\n"), 0o600)
	os.WriteFile(filepath.Join(sshDir, "a", "two"), []byte("DynamicForward 2001\n"), 0o600)
	f, ok := sshConfigFile(filepath.Join(sshDir, "config"), newBudget())
	if !ok || strings.Join(f.Ports, ",") != "tcp/2000,tcp/2001" || len(f.ForwardPorts) != 2 {
		t.Fatalf("got %+v %v", f, ok)
	}
	// The included forwards belong to the Host block they were included in.
	if f.Name != "ssh forwards of Host x" {
		t.Errorf("name %q", f.Name)
	}
}

func TestSSHIncludeLoopIsBounded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config"), []byte("LocalForward 2002 h:1\nInclude "+filepath.Join(dir, "config")+"\n"), 0o600)
	f, ok := sshConfigFile(filepath.Join(dir, "config"), newBudget())
	if !ok || len(f.Skipped) != 1 || !strings.Contains(f.Skipped[0].String(), "config:2: Include "+filepath.Join(dir, "config")+": already read") {
		t.Fatalf("got %+v", f)
	}
}

func TestSSHNoConfigNoForwards(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, ok := sshConfigFile(filepath.Join(dir, "absent"), newBudget()); ok {
		t.Error("absent config found")
	}
	os.WriteFile(filepath.Join(dir, "config"), []byte("Host *\n  User me\n"), 0o600)
	if _, ok := sshConfigFile(filepath.Join(dir, "config"), newBudget()); ok {
		t.Error("config without forwards found")
	}
}

func TestSSHSplit(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"LocalForward 1 a:2":         "localforward|1,a:2",
		"localforward=1 a:2":         "localforward|1,a:2",
		"  LocalForward = 1   a:2 ":  "localforward|1,a:2",
		`Include "my dir/x" y`:       "include|my dir/x,y",
		"# LocalForward 1 a:2":       "|",
		"DynamicForward\t[::1]:1080": "dynamicforward|[::1]:1080",
	} {
		k, a := sshSplit(in)
		if got := k + "|" + strings.Join(a, ","); got != want {
			t.Errorf("%q: got %q want %q", in, got, want)
		}
	}
}
