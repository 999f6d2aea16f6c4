//go:build unix

package discover

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Special files named by an Include or an OpenVPN `config` directive, or
// planted with a profile's name, are refused before they are read (a FIFO
// without a writer would block a read for good, /proc/kmsg never ends and,
// read as root, takes the kernel's messages), and each refusal is named.
func TestSpecialFilesAreRefusedByType(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/proc/kmsg", filepath.Join(dir, "kmsg")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("loop", filepath.Join(dir, "loop")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "vpn", "x.ovpn"), 0o600); err != nil {
		os.MkdirAll(filepath.Join(dir, "vpn"), 0o700)
		if err := syscall.Mkfifo(filepath.Join(dir, "vpn", "x.ovpn"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "vpn", "zero.ovpn")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "config"), "Include fifo /proc/kmsg kmsg /dev/zero /sys/kernel/notes loop "+dir+"\nLocalForward 2300 h:1\n")
	write(t, filepath.Join(dir, "vpn", "a.ovpn"), "client\nconfig "+fifo+"\nconfig /proc/kmsg\nconfig /dev/zero\nconfig ../kmsg\nport 1500\n")

	f, ok := sshConfigFile(filepath.Join(dir, "config"), newBudget())
	if !ok || strings.Join(f.Ports, ",") != "tcp/2300" {
		t.Fatalf("got %+v", f)
	}
	s := skipText(f)
	for _, w := range []string{
		"Include " + fifo + ": " + fifo + " is a named pipe (FIFO)",
		"Include /proc/kmsg: /proc/kmsg: a kernel or device file",
		"kmsg leads to /proc/kmsg: a kernel or device file",
		"Include /dev/zero: /dev/zero: a kernel or device file",
		"Include /sys/kernel/notes: /sys/kernel/notes: a kernel or device file",
		"loop: too many levels of symbolic links",
		"Include " + dir + ": " + dir + " is a directory",
	} {
		if !strings.Contains(s, w) {
			t.Errorf("ssh: skipped does not say %q:\n%s", w, s)
		}
	}

	got := openVPNFiles(newBudget(), filepath.Join(dir, "vpn"), ".ovpn")
	var notes, skipped, ports []string
	for _, f := range got {
		notes = append(notes, f.Name+": "+f.Note)
		skipped = append(skipped, skipText(f))
		ports = append(ports, f.Ports...)
	}
	all := strings.Join(notes, "\n") + "\n" + strings.Join(skipped, "\n")
	for _, w := range []string{
		"x: could not be read: " + filepath.Join(dir, "vpn", "x.ovpn") + " is a named pipe (FIFO)",
		"zero: could not be read: " + filepath.Join(dir, "vpn", "zero.ovpn") + " leads to /dev/zero",
		"a.ovpn:2: config " + fifo + ": " + fifo + " is a named pipe (FIFO)",
		"a.ovpn:3: config /proc/kmsg: /proc/kmsg: a kernel or device file",
		"a.ovpn:4: config /dev/zero:",
		"a.ovpn:5: config " + filepath.Join(dir, "kmsg") + ": ",
	} {
		if !strings.Contains(all, w) {
			t.Errorf("openvpn: does not say %q:\n%s", w, all)
		}
	}
	if strings.Join(ports, ",") != "udp/1500" {
		t.Errorf("openvpn ports %v", ports)
	}
}

// plantFIFO makes a FIFO at path, for the fuzzers' trees.
func plantFIFO(t testing.TB, path string) {
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
}
