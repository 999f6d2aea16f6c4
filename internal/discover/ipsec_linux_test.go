package discover

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/testenv"
)

// Debian's strongswan.conf as installed (charon's port left at its default,
// set only in commented-out lines of the files it includes) means IKE's
// standard ports once an IPsec configuration exists.
func TestStrongSwanShippedConf(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/etc/strongswan.conf"); err != nil {
		testenv.Missing(t, "/etc/strongswan.conf (package strongswan-charon): %v", err)
	}
	r := newSwanReader(newBudget())
	if err := r.file("/etc/strongswan.conf", nil, 0); err != nil {
		t.Fatal(err)
	}
	if r.port != -1 || r.natt != -1 || len(r.files) < 2 {
		t.Fatalf("port %d natt %d, read %v", r.port, r.natt, r.files)
	}
	dir := t.TempDir()
	presence := filepath.Join(dir, "ipsec.conf")
	if got := ipsecFiles(newBudget(), []string{"/etc/strongswan.conf"}, []string{presence}); got != nil {
		t.Fatalf("no IPsec configuration, got %+v", got)
	}
	os.WriteFile(presence, []byte("conn office\n"), 0o644)
	got := ipsecFiles(newBudget(), []string{"/etc/strongswan.conf"}, []string{presence})
	if len(got) != 1 || strings.Join(got[0].Ports, ",") != "udp/500,udp/4500" {
		t.Fatalf("got %+v", got)
	}
}

func TestStrongSwanPortsThroughIncludes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "strongswan.d"), 0o755)
	os.WriteFile(filepath.Join(dir, "strongswan.conf"), []byte("charon {\n  load_modular = yes\n}\ninclude strongswan.d/*.conf\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "strongswan.d", "charon.conf"), []byte("charon {\n  # port = 1\n  port = 5500\n  port_nat_t = 0\n  plugins {\n    port = 7\n  }\n}\ncharon-nm {\n  port = 9\n}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "ipsec.conf"), []byte("conn office\n  auto=start\n"), 0o644)
	got := ipsecFiles(newBudget(), []string{filepath.Join(dir, "strongswan.conf")}, []string{filepath.Join(dir, "ipsec.conf")})
	if len(got) != 1 || strings.Join(got[0].Ports, ",") != "udp/5500" || !strings.Contains(got[0].Note, "random") {
		t.Fatalf("got %+v", got)
	}
}
