package procfs

import (
	"testing"
)

func TestParseCgroupUnit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, unit string
		user     bool
	}{
		{"0::/system.slice/dnsmasq.service\n", "dnsmasq.service", false},
		{"12:pids:/system.slice/x.service\n1:name=systemd:/system.slice/ModemManager.service\n", "ModemManager.service", false},
		{"0::/user.slice/user-1000.slice/user@1000.service/app.slice/syncthing.service\n", "syncthing.service", true},
		{"0::/user.slice/user-1000.slice/user@1000.service/init.scope\n", "", false},
		{"0::/user.slice/user-1000.slice/session-2.scope\n", "", false},
		{"0::/system.slice/docker-0123abcd.scope\n", "", false},
		{"0::/\n", "", false},
		{"garbage", "", false},
	} {
		u, user := ParseCgroupUnit([]byte(tc.in))
		if u != tc.unit || user != tc.user {
			t.Errorf("%q: got %q %v", tc.in, u, user)
		}
	}
}
