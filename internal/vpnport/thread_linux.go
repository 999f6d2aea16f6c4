package vpnport

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// bindThread makes the probe's goroutine see the caller's network
// namespace. Probe runs on a goroutine of its own (so a stuck system call
// cannot hold the caller), and a goroutine may run on any thread; a caller
// that entered another namespace on its locked thread (a test, a tool
// probing a container) must still get that namespace's sockets. Usually the
// caller's thread is in the process's namespace and nothing is done.
func (p *linuxProber) bindThread() (func() (func(), error), error) {
	var self, thread unix.Stat_t
	if err := unix.Stat("/proc/thread-self/ns/net", &thread); err != nil {
		return nil, nil // no namespaces to follow
	}
	if err := unix.Stat("/proc/self/ns/net", &self); err == nil && self.Dev == thread.Dev && self.Ino == thread.Ino {
		return nil, nil
	}
	target, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("reading the caller's network namespace: %w", err)
	}
	return func() (func(), error) {
		defer unix.Close(target)
		runtime.LockOSThread()
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
