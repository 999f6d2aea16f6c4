package vpnport

import (
	"context"
	"os"
	"slices"
	"testing"
)

func TestCandidatesSkipReadableProcesses(t *testing.T) {
	self, _ := os.ReadFile("/proc/self/comm")
	name := string(self[:len(self)-1])
	p := &linuxProber{}
	got := p.linuxCandidates(context.Background(), []string{name}, []uint32{uint32(os.Geteuid())})
	if slices.ContainsFunc(got, func(h Holder) bool { return h.PID == os.Getpid() }) {
		t.Errorf("our own process, whose fds are readable, is a candidate: %+v", got)
	}
}

// BenchmarkCandidates is the extra /proc pass a hidden owner costs: one
// comm read per process, details only for a client's name.
func BenchmarkCandidates(b *testing.B) {
	p := &linuxProber{}
	names := []string{"openvpn", "charon", "xl2tpd", "wireguard-go", "ssh"}
	b.ReportAllocs()
	for b.Loop() {
		p.linuxCandidates(context.Background(), names, []uint32{0})
	}
}
