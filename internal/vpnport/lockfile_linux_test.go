package vpnport

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/testenv"
)

// TestLockFileOfSymlinkedPTY: the probe, given a symlink to a real
// pseudo-terminal (as a /dev/serial/by-id name points at ttyUSB0), finds the
// lock named after the terminal's node, not after the link.
func TestLockFileOfSymlinkedPTY(t *testing.T) {
	m, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		testenv.Missing(t, "pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { unix.Close(m) })
	if err := unix.IoctlSetPointerInt(m, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(m, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("ptsname: %v", err)
	}
	pts := "/dev/pts/" + strconv.Itoa(n)

	locks, links := t.TempDir(), t.TempDir()
	old := lockDirs
	lockDirs = []string{locks}
	t.Cleanup(func() { lockDirs = old })
	lock := filepath.Join(locks, "LCK.."+strconv.Itoa(n))
	if err := os.WriteFile(lock, []byte("      4242\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(links, "usb-FTDI_FT232R_USB_UART_A10K-if00-port0")
	if err := os.Symlink(pts, link); err != nil {
		t.Fatal(err)
	}
	lf := linuxLockFile(link)
	if lf == nil || lf.Path != lock || lf.PID != 4242 {
		t.Fatalf("lock of %s -> %s: %+v, want %s naming 4242", link, pts, lf, lock)
	}
}
