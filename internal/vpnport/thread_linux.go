package vpnport

import (
	"fmt"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// bindThread makes the probe's goroutine see the caller's network
// namespace. Probe runs on a goroutine of its own (so a stuck system call
// cannot hold the caller), and a goroutine may run on any thread; a caller
// that entered another namespace on its locked thread (a test, a tool
// probing a container) must still get that namespace's sockets. The
// namespaces are compared by the threads' own /proc entries, not with the
// process's: the locked caller may itself be the main thread.
func (p *linuxProber) bindThread() (func() (func(), error), error) {
	want, ok := threadNetNS()
	if !ok {
		return nil, nil // no namespaces to follow
	}
	tid := unix.Gettid()
	return func() (func(), error) {
		runtime.LockOSThread()
		if here, ok := threadNetNS(); ok && here == want {
			runtime.UnlockOSThread()
			return func() {}, nil
		}
		// The caller waits for this probe on its own, locked thread, so
		// that thread is still in the namespace wanted.
		target, err := unix.Open("/proc/self/task/"+strconv.Itoa(tid)+"/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			return nil, fmt.Errorf("reading the caller's network namespace: %w", err)
		}
		defer unix.Close(target)
		orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			return nil, fmt.Errorf("reading the probe's network namespace: %w", err)
		}
		if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
			unix.Close(orig)
			runtime.UnlockOSThread()
			return nil, fmt.Errorf("entering the caller's network namespace: %w", err)
		}
		return func() {
			defer unix.Close(orig)
			// Only a thread back in its own namespace may serve other
			// goroutines; otherwise it stays locked and ends with this one.
			if unix.Setns(orig, unix.CLONE_NEWNET) == nil {
				runtime.UnlockOSThread()
			}
		}, nil
	}, nil
}

// threadNetNS identifies the calling thread's network namespace.
func threadNetNS() ([2]uint64, bool) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/thread-self/ns/net", &st); err != nil {
		return [2]uint64{}, false
	}
	return [2]uint64{uint64(st.Dev), st.Ino}, true
}
