package report

import (
	"bufio"
	"io"
	"runtime"
	"strconv"
	"strings"
)

// OSInfo says which OS the report comes from. No host name: it identifies
// the machine and the helpdesk does not need it.
type OSInfo struct {
	GOOS   string `json:"goos"`
	GOARCH string `json:"goarch"`
	// Name is the distribution or product ("Debian GNU/Linux 12 (bookworm)",
	// "Windows 10.0.19045", "macOS 14.4").
	Name string `json:"name"`
	// Kernel is the kernel release where it differs from Name (Linux).
	Kernel string `json:"kernel,omitzero"`
}

// osInfo is a variable so tests can fix it.
var osInfo = func() OSInfo {
	i := OSInfo{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH}
	i.Name, i.Kernel = osName()
	return i
}

// ParseOSRelease returns PRETTY_NAME (else NAME VERSION_ID) from an
// os-release file (freedesktop's /etc/os-release format: KEY=value lines,
// values optionally quoted). It reads at most 64 KiB.
func ParseOSRelease(r io.Reader) string {
	kv := map[string]string{}
	sc := bufio.NewScanner(io.LimitReader(r, 64<<10))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		if u, err := strconv.Unquote(v); err == nil {
			v = u
		} else {
			v = strings.Trim(v, `'"`)
		}
		kv[k] = v
	}
	if s := kv["PRETTY_NAME"]; s != "" {
		return s
	}
	return strings.TrimSpace(kv["NAME"] + " " + kv["VERSION_ID"])
}
