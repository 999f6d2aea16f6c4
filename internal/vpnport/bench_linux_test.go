package vpnport

import (
	"context"
	"net"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/shirou/gopsutil/v4/process"
)

// BenchmarkProbePort is the whole in-process lookup for one TCP port held
// by a child (netlink dump for both families, /proc walk, holder details),
// with a reused Prober as the monitor loop uses it.
func BenchmarkProbePort(b *testing.B) {
	h := startHelper(b, "listen", "tcp4", "127.0.0.1:0")
	rs := []Resource{{Kind: TCP, Port: h.port(b)}}
	p := New()
	defer p.Close()
	b.ReportAllocs()
	for b.Loop() {
		obs, err := p.Probe(context.Background(), rs)
		if err != nil || len(obs[0].Holders) != 1 {
			b.Fatalf("probe: %v %+v", err, obs)
		}
	}
}

// BenchmarkProbeFreePort is the common case of a poll: nothing holds the
// port, so only netlink is asked and /proc is not walked.
func BenchmarkProbeFreePort(b *testing.B) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	rs := []Resource{{Kind: TCP, Port: port}, {Kind: UDP, Port: port}}
	p := New()
	defer p.Close()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Probe(context.Background(), rs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOwnerScan is the /proc part alone on the machine as it is: the
// complete walk a first probe makes, and the re-check of a standing
// conflict that trusts nothing it has not confirmed again.
func BenchmarkOwnerScan(b *testing.B) {
	h := startHelper(b, "listen", "tcp4", "127.0.0.1:0")
	o := probeOne(b, Resource{Kind: TCP, Port: h.port(b)})
	for _, full := range []bool{true, false} {
		b.Run(map[bool]string{true: "complete", false: "recheck"}[full], func(b *testing.B) {
			var s linuxScan
			s.wants = append(s.wants[:0], linuxWant{inode: o.Sockets[0].Inode})
			if err := s.scan(context.Background(), time.Now(), true); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := s.scan(context.Background(), time.Now(), full); err != nil {
					b.Fatal(err)
				}
				if !slices.Equal(s.wants[0].pids, []int{h.pid}) {
					b.Fatalf("pids %v, want [%d]", s.wants[0].pids, h.pid)
				}
			}
		})
	}
}

// BenchmarkHolder compares our direct /proc reads with gopsutil v4 for the
// same details (name, exe, effective uid and user, start time, cmdline).
func BenchmarkHolder(b *testing.B) {
	pid := os.Getpid()
	b.Run("proc", func(b *testing.B) {
		var h linuxHolders
		b.ReportAllocs()
		for b.Loop() {
			if hd, ok := h.holder(pid, 0); !ok || hd.Exe == "" {
				b.Fatal("no holder")
			}
		}
	})
	b.Run("gopsutil", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p, err := process.NewProcess(int32(pid))
			if err != nil {
				b.Fatal(err)
			}
			p.Name()
			p.Exe()
			p.Uids()
			p.Username()
			p.CreateTime()
			p.CmdlineSlice()
		}
	})
}
