package vpnport_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// A device path that no stat resolves to a character device (a symbolic
// link loop, a FIFO, a directory, a regular file) was reported "free" by
// check. The probe now says it is no device, and diagnosis never calls it
// free.
func TestProbeDeviceThatIsNoDevice(t *testing.T) {
	dir := t.TempDir()
	loop := filepath.Join(dir, "ttyLoop")
	if err := os.Symlink("ttyLoop", loop); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "ttyFIFO")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "ttyPlain")
	os.WriteFile(plain, nil, 0o600)
	want := map[string]string{
		loop:  "cannot be resolved to a device",
		fifo:  "is a named pipe (FIFO), not a character device",
		dir:   "is a directory, not a character device",
		plain: "is a regular file, not a character device",
	}
	var rs []vpnport.Resource
	for p := range want {
		rs = append(rs, vpnport.Resource{Kind: vpnport.Device, Path: p})
	}
	p := vpnport.New()
	defer p.Close()
	obs, err := p.Probe(context.Background(), rs, vpnport.ProbeOptions{Person: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range obs {
		f := diagnose.Diagnose(o, diagnose.Context{})
		if o.Exists || !strings.Contains(o.OpenErr, want[o.Resource.Path]) || f.Cause == diagnose.Free {
			t.Errorf("%s: exists=%v openErr=%q cause %s; want no device (%s), never free", o.Resource.Path, o.Exists, o.OpenErr, f.Cause, want[o.Resource.Path])
		}
	}
}
