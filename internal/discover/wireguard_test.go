package discover

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWireGuardNoPortAndBadPort(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "wg1.conf"), []byte("[Interface]\nPrivateKey = x\n[Peer]\nListenPort = 9\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "wg2.conf"), []byte("[Interface]\nListenPort = 70000\n"), 0o600)
	got := Discover(t.Context(), Sources{WireGuard: []string{dir}})
	if len(got) != 2 {
		t.Fatalf("got %+v", got)
	}
	if len(got[0].Ports) != 0 || !strings.Contains(got[0].Note, "random port") {
		t.Errorf("wg1: %+v", got[0])
	}
	if len(got[1].Ports) != 0 || !strings.Contains(got[1].Note, "line 2") {
		t.Errorf("wg2: %+v", got[1])
	}
}
