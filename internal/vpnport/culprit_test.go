package vpnport

import (
	"testing"
)

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
