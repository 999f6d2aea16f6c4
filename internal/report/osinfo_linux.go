package report

import (
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// osReleasePaths are tried in order (os-release(5)); a variable for tests.
var osReleasePaths = []string{"/etc/os-release", "/usr/lib/os-release"}

func osName() (name, kernel string) {
	for _, p := range osReleasePaths {
		if f, err := os.Open(p); err == nil {
			name = ParseOSRelease(f)
			f.Close()
			if name != "" {
				break
			}
		}
	}
	if name == "" {
		name = "Linux"
	}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		kernel = strings.TrimRight(string(u.Release[:]), "\x00")
	}
	return name, kernel
}
