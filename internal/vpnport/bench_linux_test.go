package vpnport

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
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
		obs, err := p.Probe(context.Background(), rs, ProbeOptions{})
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
		if _, err := p.Probe(context.Background(), rs, ProbeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProbeScale is the probe on a crowded machine: N more processes
// (TRAYCHECK_BENCH_PROCS, default 1000 and 5000), each holding 6 sockets
// (2 TCP listeners, both ends of an ESTABLISHED pair, 2 UDP sockets) next
// to the usual stdin/stdout/stderr, all started after the holder, so the
// holder is the oldest: the daemon started at boot.
//
//   - first-tcp: a fresh Prober's first probe (the complete walk a one-shot
//     `traycheck check` makes);
//   - recheck-tcp, recheck-udp: the tray's re-check of a conflict that has
//     not changed, with one Prober kept across probes.
func BenchmarkProbeScale(b *testing.B) {
	scales := os.Getenv("TRAYCHECK_BENCH_PROCS")
	if scales == "" {
		scales = "1000,5000"
	}
	for _, f := range strings.Split(scales, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 0 {
			b.Fatalf("TRAYCHECK_BENCH_PROCS=%q: want numbers separated by commas", scales)
		}
		b.Run("procs="+strconv.Itoa(n), func(b *testing.B) { benchScale(b, n) })
	}
}

func benchScale(b *testing.B, n int) {
	tcp := startHelper(b, "listen", "tcp4", "127.0.0.1:0")
	udp := startHelper(b, "listen", "udp4", "127.0.0.1:0")
	crowd(b, n)
	probe := func(b *testing.B, p *Prober, r Resource, want int) {
		obs, err := p.Probe(context.Background(), []Resource{r}, ProbeOptions{})
		if err != nil || len(obs[0].Holders) != 1 || obs[0].Holders[0].PID != want {
			b.Fatalf("probe %s: %v %+v, want held by %d", r, err, obs, want)
		}
	}
	rt := Resource{Kind: TCP, Port: tcp.port(b)}
	ru := Resource{Kind: UDP, Port: udp.port(b)}
	// first-tcp is a fresh prober's complete look: through the BPF
	// task-file iterator when run as root, else the /proc walk, which
	// first-tcp-walk always takes.
	for _, tc := range []struct {
		name string
		iter bool
	}{{"first-tcp", true}, {"first-tcp-walk", false}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p := New()
				p.impl.(*linuxProber).owners.WalkOnly = !tc.iter
				probe(b, p, rt, tcp.pid)
				p.Close()
			}
		})
	}
	for _, tc := range []struct {
		name string
		r    Resource
		pid  int
	}{{"recheck-tcp", rt, tcp.pid}, {"recheck-udp", ru, udp.pid}} {
		b.Run(tc.name, func(b *testing.B) {
			p := New()
			defer p.Close()
			probe(b, p, tc.r, tc.pid)
			b.ReportAllocs()
			for b.Loop() {
				probe(b, p, tc.r, tc.pid)
			}
		})
	}
}

// crowd starts n sleep processes holding sockets handed to them as extra
// files, and ends them when b ends.
func crowd(b *testing.B, n int) {
	b.Helper()
	var cmds []*exec.Cmd
	b.Cleanup(func() {
		for _, c := range cmds {
			c.Process.Kill()
			c.Wait()
		}
	})
	for range n {
		var files []*os.File
		file := func(c interface{ File() (*os.File, error) }, err error) {
			if err != nil {
				b.Fatal(err)
			}
			f, err := c.File()
			if err != nil {
				b.Fatal(err)
			}
			files = append(files, f)
			c.(interface{ Close() error }).Close()
		}
		var lns []*net.TCPListener
		for range 2 {
			ln, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				b.Fatal(err)
			}
			lns = append(lns, ln)
		}
		c, err := net.DialTCP("tcp4", nil, lns[0].Addr().(*net.TCPAddr))
		if err != nil {
			b.Fatal(err)
		}
		a, err := lns[0].AcceptTCP()
		file(c, err)
		file(a, err)
		for _, ln := range lns {
			file(ln, nil)
		}
		for range 2 {
			file(net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}))
		}
		cmd := exec.Command("sleep", "3600")
		cmd.ExtraFiles = files
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		cmds = append(cmds, cmd)
		for _, f := range files {
			f.Close()
		}
	}
}
