package vpnport

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
		u, user := parseCgroupUnit([]byte(tc.in))
		if u != tc.unit || user != tc.user {
			t.Errorf("%q: got %q %v", tc.in, u, user)
		}
	}
}

func TestParseDockerProxy(t *testing.T) {
	t.Parallel()
	d, ok := ParseDockerProxy([]string{"/usr/bin/docker-proxy", "-proto", "tcp", "-host-ip", "0.0.0.0", "-host-port", "8080", "-container-ip", "172.17.0.2", "-container-port", "80"})
	if !ok || d.Proto != "tcp" || d.HostPort != 8080 || d.ContainerIP.String() != "172.17.0.2" || d.ContainerPort != 80 {
		t.Fatalf("%+v %v", d, ok)
	}
	if _, ok := ParseDockerProxy([]string{"socat", "-proto", "tcp"}); ok {
		t.Error("socat taken for docker-proxy")
	}
	if _, ok := ParseDockerProxy([]string{"docker-proxy", "--container-ip=10.0.0.2", "--container-port=53", "--proto=udp"}); !ok {
		t.Error("= form refused")
	}
}
