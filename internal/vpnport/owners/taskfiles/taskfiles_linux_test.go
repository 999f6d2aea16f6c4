package taskfiles

import (
	"context"
	"net"
	"os"
	"testing"

	"github.com/traycheck/traycheck/internal/testenv"
	"golang.org/x/sys/unix"
)

func newLister(t testing.TB) *Lister {
	t.Helper()
	testenv.Root(t)
	l, err := New()
	if err != nil {
		testenv.Missing(t, "the BPF task-file iterator: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// TestListFindsOwnFiles: the kernel runs the program and names this
// process's socket, under both fds that share it, and its /dev/null.
func TestListFindsOwnFiles(t *testing.T) {
	l := newLister(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dup, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer dup.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	var sock, dev unix.Stat_t
	if err := unix.Fstat(int(dup.Fd()), &sock); err != nil {
		t.Fatal(err)
	}
	if err := unix.Fstat(int(null.Fd()), &dev); err != nil {
		t.Fatal(err)
	}
	files, err := l.List(context.Background(), nil, true)
	if err != nil {
		t.Fatal(err)
	}
	var sockFDs []int
	nullSeen := false
	for _, f := range files {
		if f.PID != os.Getpid() {
			continue
		}
		if f.Socket && f.Inode == sock.Ino {
			sockFDs = append(sockFDs, f.FD)
		}
		if !f.Socket && f.FD == int(null.Fd()) {
			nullSeen = f.Rdev == uint64(dev.Rdev) && f.Inode == dev.Ino
		}
	}
	if len(sockFDs) != 2 || !nullSeen {
		t.Fatalf("socket under fds %v (want 2, one of them %d), /dev/null seen %v, in %d files", sockFDs, dup.Fd(), nullSeen, len(files))
	}
	// Without devices, no device.
	files, _ = l.List(context.Background(), files[:0], false)
	for _, f := range files {
		if !f.Socket {
			t.Fatalf("a device in a sockets-only list: %+v", f)
		}
	}
}

// BenchmarkNewList is what a `check` run as root pays: load, then one list.
func BenchmarkNewList(b *testing.B) {
	newLister(b)
	for b.Loop() {
		l, err := New()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := l.List(context.Background(), nil, false); err != nil {
			b.Fatal(err)
		}
		l.Close()
	}
}

func BenchmarkList(b *testing.B) {
	l := newLister(b)
	var files []File
	var err error
	for b.Loop() {
		if files, err = l.List(context.Background(), files[:0], false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKernelLayout(b *testing.B) {
	newLister(b)
	for b.Loop() {
		if _, err := kernelLayout(); err != nil {
			b.Fatal(err)
		}
	}
}
