package vpnport

import (
	"context"
	"net"
	"os"
	"testing"

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

// BenchmarkOwnerScan is the /proc walk alone: the owner of an inode held by
// the newest process (found first) and one held by the oldest (PID 1 is
// never it, so the walk goes through every process: the worst case).
func BenchmarkOwnerScan(b *testing.B) {
	h := startHelper(b, "listen", "tcp4", "127.0.0.1:0")
	o := probeOne(b, Resource{Kind: TCP, Port: h.port(b)})
	for _, tc := range []struct {
		name  string
		inode uint64
		found bool
	}{
		{"newest", o.Sockets[0].Inode, true},
		{"absent", 1, false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var s linuxScan
			b.ReportAllocs()
			for b.Loop() {
				s.wants = append(s.wants[:0], linuxWant{inode: tc.inode})
				if err := s.scan(context.Background()); err != nil {
					b.Fatal(err)
				}
				if (len(s.wants[0].pids) > 0) != tc.found {
					b.Fatalf("pids %v", s.wants[0].pids)
				}
				s.wants[0].pids = s.wants[0].pids[:0]
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
			if hd, ok := h.holder(pid); !ok || hd.Exe == "" {
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
