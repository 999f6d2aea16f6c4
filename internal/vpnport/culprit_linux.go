package vpnport

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
)

// addContainer names the container behind a docker-proxy holder: its
// address and port from the command line, and its name when the Docker
// engine answers.
func addContainer(hd *Holder) {
	if d, ok := ParseDockerProxy(hd.Cmdline); ok {
		hd.Container = netip.AddrPortFrom(d.ContainerIP, d.ContainerPort).String()
		if name := dockerContainerName(context.Background(), d.ContainerIP.String()); name != "" {
			hd.Container = name + " (" + hd.Container + ")"
		}
	}
}

// sysClassTTY is where the kernel lists tty devices; tests point it at a
// tree of their own.
var sysClassTTY = "/sys/class/tty"

// linuxUSBID returns "vendor:product" of the USB device behind a tty
// (/dev/ttyUSB0, a by-id link), from sysfs: the tty's device directory is a
// USB interface, whose parents include the device with idVendor and
// idProduct. "" for a device that is not on USB.
func linuxUSBID(path string) string {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return ""
	}
	dir, err := filepath.EvalSymlinks(filepath.Join(sysClassTTY, filepath.Base(real), "device"))
	if err != nil {
		return ""
	}
	for i := 0; i < 4 && dir != "/" && dir != "."; i++ {
		v, err1 := os.ReadFile(filepath.Join(dir, "idVendor"))
		p, err2 := os.ReadFile(filepath.Join(dir, "idProduct"))
		if err1 == nil && err2 == nil {
			return strings.TrimSpace(string(v)) + ":" + strings.TrimSpace(string(p))
		}
		dir = filepath.Dir(dir)
	}
	return ""
}
