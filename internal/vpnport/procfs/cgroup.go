package procfs

import (
	"bufio"
	"bytes"
	"strings"
)

// ParseCgroupUnit returns the systemd service a process runs in, from its
// /proc/PID/cgroup (v2 "0::/system.slice/dnsmasq.service", or v1's
// "name=systemd" hierarchy), and whether it is a user unit (under
// user@UID.service). A process in a login session or a container scope has
// no service: "". The service matters because ending its process makes
// systemd start it again: the fix is to stop the unit.
func ParseCgroupUnit(b []byte) (unit string, user bool) {
	var path string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			path = parts[2] // the unified hierarchy wins
			break
		}
		if parts[1] == "name=systemd" {
			path = parts[2]
		}
	}
	comps := strings.Split(path, "/")
	for i := len(comps) - 1; i >= 0; i-- {
		c := comps[i]
		if !strings.HasSuffix(c, ".service") {
			continue
		}
		if strings.HasPrefix(c, "user@") {
			return "", false // the user's service manager itself, not an app
		}
		for _, a := range comps[:i] {
			if strings.HasPrefix(a, "user@") && strings.HasSuffix(a, ".service") {
				user = true
			}
		}
		return c, user
	}
	return "", false
}
