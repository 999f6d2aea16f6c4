package vpnport

import (
	"context"
	"net"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/vpnport/sockdiag"
	"github.com/traycheck/traycheck/internal/vpnport/taskfiles"
)

// probeBothWays probes rs once through the BPF task-file iterator and once
// by walking /proc, each with a fresh prober, and fails unless the iterator
// was really used for the first.
func probeBothWays(t *testing.T, rs []Resource) (bpf, walk []Observation) {
	t.Helper()
	for _, iter := range []bool{true, false} {
		old := useTaskFiles
		useTaskFiles = iter
		p := New()
		obs, err := p.Probe(context.Background(), rs, ProbeOptions{Person: true})
		lp := p.impl.(*linuxProber)
		// A walk through the iterator leaves its list's slice for the next.
		tf := lp.scan.tf
		used := tf != nil && tf.l != nil && tf.job == nil && tf.spare != nil
		p.Close()
		useTaskFiles = old
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

// newTaskFilesOrSkip gives a prober's scan an iterator, or calls Missing.
func newTaskFilesOrSkip(t *testing.T) *taskfiles.Lister {
	t.Helper()
	testenv.Root(t)
	l, err := taskfiles.New()
	if err != nil {
		testenv.Missing(t, "the BPF task-file iterator: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// TestTaskFilesWalkDecidesAnUnheldSocket: the list starts before the dump,
// so a socket the dump reports may have been made after the list passed its
// process. Staged here as a list that missed it (an empty one): the
// iterator's answer is not taken (no hits, false: the caller walks /proc),
// and the probe's walk names the holder.
func TestTaskFilesWalkDecidesAnUnheldSocket(t *testing.T) {
	l := newTaskFilesOrSkip(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var s linuxScan
	dump, err := (&linuxDiag{}).dump(context.Background(), nil, TCP, uint16(ln.Addr().(*net.TCPAddr).Port))
	if err != nil || len(dump) != 1 {
		t.Fatalf("dump %+v, %v", dump, err)
	}
	s.wants = []linuxWant{{inode: dump[0].Inode}}
	done := make(chan struct{})
	close(done)
	s.tf = &taskFiles{l: l, job: &taskFileList{done: done, cancel: func() {}}}
	if s.walkTaskFiles(context.Background()) || len(s.hits) != 0 {
		t.Fatalf("an empty list was taken as the answer: hits %+v", s.hits)
	}
	if err := s.walk(context.Background(), mustListProcs(t)); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(s.hits, func(h linuxHit) bool { return h.pid == os.Getpid() }) {
		t.Fatalf("walk hits %+v, want this process (%d)", s.hits, os.Getpid())
	}
}

func mustListProcs(t *testing.T) []procEnt {
	t.Helper()
	var buf []byte
	procs, err := listProcs(nil, &buf)
	if err != nil {
		t.Fatal(err)
	}
	return procs
}

// TestTaskFilesNotUsedByALaterProbe: a probe that found nothing to look for
// (a free port) leaves its list behind; the next probe, which is not a
// complete one and so starts no list, must not take that old list for its
// own (it would miss a holder that came since) but walk.
func TestTaskFilesNotUsedByALaterProbe(t *testing.T) {
	newTaskFilesOrSkip(t)
	p := New()
	defer p.Close()
	if _, err := p.Probe(context.Background(), []Resource{{Kind: TCP, Port: 1}}, ProbeOptions{}); err != nil {
		t.Fatal(err)
	}
	if tf := p.impl.(*linuxProber).scan.tf; tf != nil && tf.job != nil {
		<-tf.job.done // the list is complete before the new holder comes
	}
	h := startHelper(t, "listen", "tcp4", "127.0.0.1:0")
	obs, err := p.Probe(context.Background(), []Resource{{Kind: TCP, Port: h.port(t)}}, ProbeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := holderPIDs(obs[0]); !slices.Contains(got, h.pid) {
		t.Fatalf("holders %v, want %d among them", got, h.pid)
	}
}
