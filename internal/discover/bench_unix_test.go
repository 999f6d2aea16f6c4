//go:build unix

package discover

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// hostileHome builds what testdata/hostile-home.sh builds: an ssh config
// that includes itself three times and a 5,000-file glob whose files include
// the config again, a FIFO and kernel files named by Includes, 200 KiB lines,
// and under ~/.config a FIFO and a link to /proc/kmsg with a profile's name
// next to a profile that names itself, the FIFO and escapes.
func hostileHome(tb testing.TB) (home string, s Sources) {
	home = tb.TempDir()
	ssh := filepath.Join(home, ".ssh")
	long := strings.Repeat("x", 200<<10)
	write(tb, filepath.Join(ssh, "config"), "Include config config config\nInclude conf.d/*\nInclude fifo /proc/kmsg /dev/zero\n# "+long+
		"\nLocalForward 2222 127.0.0.1:22\n# "+long+"\nHost \x1b]52;c;aGk=\aevil\x1b[2J\n  DynamicForward 1080\n")
	if err := syscall.Mkfifo(filepath.Join(ssh, "fifo"), 0o600); err != nil {
		tb.Fatal(err)
	}
	os.MkdirAll(filepath.Join(ssh, "conf.d"), 0o700)
	for i := 0; i < 5000; i++ {
		if err := os.WriteFile(filepath.Join(ssh, "conf.d", fmt.Sprint("h", i)), fmt.Appendf(nil, "Include ../config\nLocalForward %d h:1\n", 10000+i), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	vpn := filepath.Join(home, ".config", "vpn")
	write(tb, filepath.Join(vpn, "work.ovpn"), "client\nconfig work.ovpn\nconfig work.ovpn\nconfig planted.ovpn\nport 1195\n# "+long+"\ndev tun\x1b]0;x\a\n")
	if err := syscall.Mkfifo(filepath.Join(vpn, "planted.ovpn"), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.Symlink("/proc/kmsg", filepath.Join(vpn, "kmsg.ovpn")); err != nil {
		tb.Fatal(err)
	}
	return home, Sources{SSHConfig: filepath.Join(ssh, "config"), OpenVPNImported: []string{filepath.Join(home, ".config")}}
}

// The hostile home is discovered, bounded, with what it skipped named.
func TestHostileHome(t *testing.T) {
	t.Parallel()
	home, s := hostileHome(t)
	got := Discover(t.Context(), s)
	var all []string
	for _, f := range got {
		all = append(all, f.Kind+" "+f.Name+" "+strings.Join(f.Ports, ",")+" "+f.Note+"\n"+skipText(f))
	}
	text := strings.Join(all, "\n")
	for _, w := range []string{
		"udp/1195", "tcp/2222", "tcp/1080", "tcp/10000",
		"matched 5000 files: read the first 64, skipped 4936",
		"config:4: line longer than 64 KiB", "config:6: line longer",
		"fifo is a named pipe (FIFO)", "/proc/kmsg: a kernel or device file",
		"planted.ovpn is a named pipe (FIFO)", "kmsg.ovpn leads to /proc/kmsg",
		"work.ovpn:2: config", "already read",
		"work.ovpn:4: config " + filepath.Join(home, ".config", "vpn", "planted.ovpn") + ": " + filepath.Join(home, ".config", "vpn", "planted.ovpn") + " is a named pipe",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("discovery does not say %q:\n%s", w, text)
		}
	}
}

// BenchmarkDiscoverHostileHome is the figure: discovery of a
// hostile home (goal: well under 300 ms, under 30 MB peak RSS for the whole
// `traycheck config discover`; see testdata/hostile-home.sh for the RSS run).
func BenchmarkDiscoverHostileHome(b *testing.B) {
	_, s := hostileHome(b)
	b.ReportAllocs()
	for b.Loop() {
		if got := Discover(b.Context(), s); len(got) == 0 {
			b.Fatal("nothing found")
		}
	}
}
