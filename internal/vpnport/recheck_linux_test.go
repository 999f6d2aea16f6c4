package vpnport

import (
	"context"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestProbeOrphanedWorkers: a parent bound the port and forked two children
// that inherited the socket, then the parent died. No parent link joins the
// children any more; both must still be named.
func TestProbeOrphanedWorkers(t *testing.T) {
	h := startHelper(t, "fork", "tcp4", "127.0.0.1:0")
	port := h.port(t)
	c1, _ := strconv.Atoi(h.ready[1])
	c2, _ := strconv.Atoi(h.ready[2])
	t.Cleanup(func() {
		syscall.Kill(c1, syscall.SIGKILL)
		syscall.Kill(c2, syscall.SIGKILL)
	})
	if err := syscall.Kill(h.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	r := Resource{Kind: TCP, Port: port}
	var o Observation
	for range 200 { // the parent is reaped by startHelper's Wait, soon
		if o = probeOne(t, r); len(o.Sockets) == 1 && !slices.Contains(o.Sockets[0].PIDs, h.pid) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(o.Sockets) != 1 || !slices.Equal(o.Sockets[0].PIDs, []int{c1, c2}) {
		t.Fatalf("sockets %+v, want one held by both orphans %d and %d", o.Sockets, c1, c2)
	}
}

// TestProbeRecheck drives one long-lived Prober (as the tray does) through
// a standing conflict that changes: a process forked after the last look
// inherits the socket (it must be found although nothing is walked but new
// processes), then ends (it must go), then the listener closes.
func TestProbeRecheck(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	rs := []Resource{{Kind: TCP, Port: port}}
	p := New()
	defer p.Close()
	lp := p.impl.(*linuxProber)
	pids := func(wantFull bool) []int {
		t.Helper()
		before := lp.fullAt
		obs, err := p.Probe(context.Background(), rs, ProbeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if full := !lp.fullAt.Equal(before); full != wantFull {
			t.Errorf("complete look = %v, want %v", full, wantFull)
		}
		var got []int
		for _, h := range obs[0].Holders {
			got = append(got, h.PID)
		}
		return got
	}
	me := os.Getpid()
	if got := pids(true); !slices.Equal(got, []int{me}) {
		t.Fatalf("first probe: holders %v, want us (%d)", got, me)
	}
	if got := pids(false); !slices.Equal(got, []int{me}) {
		t.Fatalf("re-check: holders %v, want us (%d)", got, me)
	}

	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command("sleep", "60")
	child.ExtraFiles = []*os.File{f}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	t.Cleanup(func() { child.Process.Kill(); child.Wait() })
	want := []int{me, child.Process.Pid}
	slices.Sort(want)
	if got := pids(false); !slices.Equal(got, want) {
		t.Fatalf("re-check after a fork: holders %v, want %v", got, want)
	}
	child.Process.Kill()
	child.Wait()
	if got := pids(false); !slices.Equal(got, []int{me}) {
		t.Fatalf("re-check after the child ended: holders %v, want us (%d)", got, me)
	}
	ln.Close()
	if got := pids(false); len(got) != 0 {
		t.Fatalf("re-check after close: holders %v, want none", got)
	}
}
