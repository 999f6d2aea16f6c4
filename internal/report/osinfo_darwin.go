package report

import "golang.org/x/sys/unix"

func osName() (name, kernel string) {
	name = "macOS"
	if v, err := unix.Sysctl("kern.osproductversion"); err == nil && v != "" {
		name += " " + v
	}
	kernel, _ = unix.Sysctl("kern.osrelease")
	return name, kernel
}
