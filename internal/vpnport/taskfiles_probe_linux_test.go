package vpnport

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/vpnport/owners/taskfiles"
	"github.com/traycheck/traycheck/internal/vpnport/sockdiag"
)

// probeBothWays probes rs once through the BPF task-file iterator and once
// by walking /proc, each with a fresh prober, and fails unless the iterator
// was really used for the first.
func probeBothWays(t *testing.T, rs []Resource) (bpf, walk []Observation) {
	t.Helper()
	for _, iter := range []bool{true, false} {
		p := New()
		lp := p.impl.(*linuxProber)
		lp.owners.WalkOnly = !iter
		obs, err := p.Probe(context.Background(), rs, ProbeOptions{Person: true})
		used := lp.listed
		p.Close()
		if err != nil {
			t.Fatalf("probe (iterator %v): %v", iter, err)
		}
		if used != iter {
			if iter {
				_, err := taskfiles.New()
				testenv.Missing(t, "the BPF task-file iterator (needs root, BTF and Linux 5.8+): %v", err)
			}
			t.Fatalf("iterator used = %v, want %v", used, iter)
		}
		if iter {
			bpf = obs
		} else {
			walk = obs
		}
	}
	return bpf, walk
}

func holderPIDs(o Observation) []int {
	var pids []int
	for _, h := range o.Holders {
		pids = append(pids, h.PID)
	}
	slices.Sort(pids)
	return pids
}

// TestTaskFilesAgreesWithProcWalk: the iterator is only a faster way to the
// walk's answer. A socket shared by a parent and two forked children, a
// UDP socket, and a pty opened by a process: the same holders (PIDs, and
// for sockets the same fds' owners) both ways.
func TestTaskFilesAgreesWithProcWalk(t *testing.T) {
	testenv.Root(t)
	fork := startHelper(t, "fork", "tcp4", "127.0.0.1:0")
	udp := startHelper(t, "listen", "udp6", "[::1]:0")
	pty := startHelper(t, "pty")
	rs := []Resource{
		{Kind: TCP, Port: fork.port(t)},
		{Kind: UDP, Port: udp.port(t)},
		{Kind: Device, Path: pty.ready[0]},
	}
	bpf, walk := probeBothWays(t, rs)
	wantPIDs := [][]int{
		slices.Sorted(slices.Values([]int{fork.pid, atoi(t, fork.ready[1]), atoi(t, fork.ready[2])})),
		{udp.pid},
		{pty.pid},
	}
	for i, r := range rs {
		got, want := holderPIDs(bpf[i]), holderPIDs(walk[i])
		if !slices.Equal(got, want) {
			t.Errorf("%s: iterator holders %v, walk %v", r, got, want)
		}
		// Other processes on the port (another address) may add holders;
		// the helpers' must be there.
		for _, pid := range wantPIDs[i] {
			if !slices.Contains(got, pid) {
				t.Errorf("%s: holders %v, want %d among them", r, got, pid)
			}
		}
		byInode := map[uint64][]int{}
		for _, s := range walk[i].Sockets {
			byInode[s.Inode] = s.PIDs
		}
		for _, s := range bpf[i].Sockets {
			if w, ok := byInode[s.Inode]; ok && !slices.Equal(s.PIDs, w) {
				t.Errorf("%s socket %d: iterator PIDs %v, walk %v", r, s.Inode, s.PIDs, w)
			}
		}
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("helper said %q: %v", s, err)
	}
	return n
}

// TestTCPDiagOneRequestBothFamilies: the old TCPDIAG_GETSOCK request
// answers with the sockets of both address families, exactly those the
// per-family requests return.
func TestTCPDiagOneRequestBothFamilies(t *testing.T) {
	v4 := startHelper(t, "listen", "tcp4", "127.0.0.1:0")
	port := v4.port(t)
	startHelper(t, "listen", "tcp6", "[::1]:"+strconv.Itoa(int(port)))
	inodes := func(socks []Socket) []uint64 {
		var l []uint64
		for _, s := range socks {
			l = append(l, s.Inode)
		}
		slices.Sort(l)
		return l
	}
	compat := linuxDiag{}
	defer compat.close()
	got, err := compat.dump(context.Background(), nil, TCP, port)
	if err != nil || compat.PerFamily {
		t.Fatalf("TCPDIAG_GETSOCK: %v (refused: %v)", err, compat.PerFamily)
	}
	perFamily := linuxDiag{Dumper: sockdiag.Dumper{PerFamily: true}}
	defer perFamily.close()
	want, err := perFamily.dump(context.Background(), nil, TCP, port)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 2 || !slices.Equal(inodes(got), inodes(want)) {
		t.Fatalf("one request: %v; per family: %v (want both listeners)", inodes(got), inodes(want))
	}
	fams := map[bool]bool{}
	for _, s := range got {
		fams[s.Local.Addr().Is4()] = true
	}
	if !fams[true] || !fams[false] {
		t.Fatalf("families seen %v, want IPv4 and IPv6", fams)
	}
}
