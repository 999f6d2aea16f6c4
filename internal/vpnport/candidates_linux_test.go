package vpnport

import (
	"context"
	"os"
	"slices"
	"testing"
)

func TestCommMatches(t *testing.T) {
	names := []string{"openvpn", "nm-openvpn-service"}
	for comm, want := range map[string]bool{"openvpn": true, "OpenVPN": true, "nm-openvpn-serv": true, "nm-openvpn": false, "openvpn2": false} {
		if got := commMatches(comm, names); got != want {
			t.Errorf("%q: %v, want %v", comm, got, want)
		}
	}
	if !candidateOf(65534, []uint32{0}) || candidateOf(1000, []uint32{1001}) || !candidateOf(1001, []uint32{1001}) {
		t.Error("candidateOf: a root socket may be any user's; another user's only its own")
	}
}

// The walk finds a client running as another user (here: this test's own
// binary, searched as if its name were a client's), and never one whose fds
// it can read: running as root, it reads every fd, so it finds none.
func TestCandidatesSkipReadableProcesses(t *testing.T) {
	self, _ := os.ReadFile("/proc/self/comm")
	name := string(self[:len(self)-1])
	p := &linuxProber{diag: linuxDiag{fd: -1}}
	got := p.linuxCandidates(context.Background(), []string{name}, []uint32{uint32(os.Geteuid())})
	if slices.ContainsFunc(got, func(h Holder) bool { return h.PID == os.Getpid() }) {
		t.Errorf("our own process, whose fds are readable, is a candidate: %+v", got)
	}
}

// BenchmarkCandidates is the extra /proc pass a hidden owner costs: one
// comm read per process, details only for a client's name.
func BenchmarkCandidates(b *testing.B) {
	p := &linuxProber{diag: linuxDiag{fd: -1}}
	names := []string{"openvpn", "charon", "xl2tpd", "wireguard-go", "ssh"}
	b.ReportAllocs()
	for b.Loop() {
		p.linuxCandidates(context.Background(), names, []uint32{0})
	}
}
