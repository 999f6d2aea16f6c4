package owners

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport/owners/taskfiles"
	"github.com/traycheck/traycheck/internal/vpnport/procfs"
)

// socketInode is the inode number of a listener's socket, as its
// "socket:[N]" link names it.
// t may be nil outside a test: failures then return 0.
func socketInode(t testing.TB, ln net.Listener) uint64 {
	fail := func(args ...any) {
		if t != nil {
			t.Helper()
			t.Fatal(args...)
		}
	}
	rc, err := ln.(syscall.Conn).SyscallConn()
	if err != nil {
		fail(err)
		return 0
	}
	var st syscall.Stat_t
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.Fstat(int(fd), &st) }); err != nil || serr != nil {
		fail(err, serr)
		return 0
	}
	return st.Ino
}

// listen opens a TCP listener on loopback that the test closes at its end.
func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// shareWithChild starts a sleep that inherits ln's socket (and /dev/null
// as its stdin, as exec gives it), and ends it when the test ends.
func shareWithChild(t testing.TB, ln net.Listener) int {
	t.Helper()
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := exec.Command("sleep", "60")
	c.ExtraFiles = []*os.File{f}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	return c.Process.Pid
}

func rdevOf(t testing.TB, path string) uint64 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Rdev
}

// Lookup answers per want, in the order gathered: a socket held by this
// process and a child, and /dev/null, which the child holds and this
// process's own fds do not count for. The socket holders' start times are
// the ones /proc/PID/stat gives. Both ways of a complete look (the list,
// where this process may load the iterator, and the walk) and the re-check
// from memory give the same answer.
func TestLookup(t *testing.T) {
	ln := listen(t)
	child := shareWithChild(t, ln)
	me := os.Getpid()
	inode, null := socketInode(t, ln), rdevOf(t, "/dev/null")
	var r procfs.Reader
	cp, ok := r.Process(child, 0)
	if !ok {
		t.Fatal("no child")
	}
	_, iterErr := taskfiles.New()
	for _, walkOnly := range []bool{false, true} {
		f := Finder{WalkOnly: walkOnly}
		for _, full := range []bool{true, false, true} {
			res, err := f.Lookup(context.Background(), Query{Now: time.Now(), Full: full, Devices: true},
				func(dst []Want) ([]Want, error) {
					return append(dst, Want{Inode: inode}, Want{Rdev: null}), nil
				})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.PIDs) != 2 {
				t.Fatalf("walk only %v, full %v: %d answers for 2 wants", walkOnly, full, len(res.PIDs))
			}
			sock := slices.Sorted(slices.Values(res.PIDs[0]))
			if want := slices.Sorted(slices.Values([]int{me, child})); !slices.Equal(sock, want) {
				t.Errorf("walk only %v, full %v: socket held by %v, want %v", walkOnly, full, sock, want)
			}
			if !slices.Contains(res.PIDs[1], child) || slices.Contains(res.PIDs[1], me) {
				t.Errorf("walk only %v, full %v: /dev/null held by %v, want the child %d and not us", walkOnly, full, res.PIDs[1], child)
			}
			if got := res.StartOf(child); got != cp.StartTicks {
				t.Errorf("child's start %d, want %d", got, cp.StartTicks)
			}
			if wantListed := full && !walkOnly && iterErr == nil; res.Listed != wantListed {
				t.Errorf("walk only %v, full %v: listed = %v, want %v (iterator: %v)", walkOnly, full, res.Listed, wantListed, iterErr)
			}
		}
		f.Close()
	}
	oops := errors.New("dump failed")
	var f Finder
	defer f.Close()
	if _, err := f.Lookup(context.Background(), Query{Now: time.Now(), Full: true}, func([]Want) ([]Want, error) { return nil, oops }); err != oops {
		t.Errorf("gather's error came back as %v", err)
	}
}

// A standing conflict re-checked from memory: no complete walk, yet a
// process forked since the last look is found, and one that ended is gone.
func TestLookupRecheckFollowsChanges(t *testing.T) {
	ln := listen(t)
	inode := socketInode(t, ln)
	var f Finder
	defer f.Close()
	lookup := func(full bool) []int {
		t.Helper()
		res, err := f.Lookup(context.Background(), Query{Now: time.Now(), Full: full},
			func(dst []Want) ([]Want, error) { return append(dst, Want{Inode: inode}), nil })
		if err != nil {
			t.Fatal(err)
		}
		return slices.Sorted(slices.Values(res.PIDs[0]))
	}
	me := os.Getpid()
	if got := lookup(true); !slices.Equal(got, []int{me}) {
		t.Fatalf("complete: %v, want us", got)
	}
	walked := f.s.memo.at
	child := shareWithChild(t, ln)
	want := slices.Sorted(slices.Values([]int{me, child}))
	if got := lookup(false); !slices.Equal(got, want) || !f.s.memo.at.Equal(walked) {
		t.Fatalf("re-check after a fork: %v (complete look again: %v), want %v from memory", got, !f.s.memo.at.Equal(walked), want)
	}
	syscall.Kill(child, syscall.SIGKILL)
	for range 200 {
		if got := lookup(false); slices.Equal(got, []int{me}) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("re-check still names the ended child %d", child)
}
