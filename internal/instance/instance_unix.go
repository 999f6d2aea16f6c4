//go:build linux || darwin

package instance

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// Dir is the private per-user directory that holds the lock and the socket:
// $XDG_RUNTIME_DIR, or os.TempDir()/traycheck-UID when that is unset. Either
// must be a real directory of ours that nobody else can enter, because
// whoever can create files there could stand in for the running instance.
func Dir() (string, error) {
	d, fallback := sessionDir()
	if fallback {
		if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("creating %s: %w", d, err)
		}
	}
	fi, err := os.Lstat(d)
	if err != nil {
		return "", fmt.Errorf("runtime directory: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok || int(st.Uid) != os.Getuid() || fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("runtime directory %s must be a directory owned by UID %d with mode 0700 (it is %v)",
			d, os.Getuid(), fi.Mode())
	}
	return d, nil
}

// sessionDir is the directory Dir checks: $XDG_RUNTIME_DIR, or the
// fallback under os.TempDir(). It names the session whether or not the
// directory exists or can be trusted.
func sessionDir() (dir string, fallback bool) {
	d := os.Getenv("XDG_RUNTIME_DIR")
	if d == "" || !filepath.IsAbs(d) {
		return filepath.Join(os.TempDir(), "traycheck-"+strconv.Itoa(os.Getuid())), true
	}
	return filepath.Clean(d), false
}

// flockImpl holds the session: an flock on traycheck.lock in Dir, and on
// Linux also the session's name in the abstract socket namespace (see
// claimName). Either one keeps a second instance out; both are held when
// both can be, because each survives what the other does not: the name
// outlives the removal of the runtime directory and cannot be squatted in
// /tmp by a directory, the flock works across network namespaces.
type flockImpl struct {
	f    *os.File          // nil when the runtime directory is unusable
	name *net.UnixListener // nil on macOS, or when the name is not ours
	// degraded says which of the two could not be held, and why.
	degraded error
}

func acquire() (lockImpl, error) {
	name, nameErr := claimName()
	if errors.Is(nameErr, ErrRunning) {
		return nil, ErrRunning
	}
	f, err := flockDir()
	switch {
	case errors.Is(err, ErrRunning):
		if name != nil {
			name.Close()
		}
		return nil, ErrRunning
	case err != nil && name == nil:
		if nameErr != nil {
			return nil, fmt.Errorf("%w; and %w", err, nameErr)
		}
		return nil, err
	case err != nil:
		return &flockImpl{name: name, degraded: fmt.Errorf("%w; one instance per session is kept by the socket name %s alone, where later launches also reach this one", err, abstractName())}, nil
	}
	return &flockImpl{f: f, name: name, degraded: nameErr}, nil
}

// flockDir takes the flock on traycheck.lock in Dir.
func flockDir() (*os.File, error) {
	d, err := Dir()
	if err != nil {
		return nil, err
	}
	p := filepath.Join(d, "traycheck.lock")
	fd, err := unix.Open(p, unix.O_RDWR|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening lock %s: %w", p, err)
	}
	f := os.NewFile(uintptr(fd), p)
	// flock, not a PID file: the kernel drops it when the process dies,
	// however it dies.
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, ErrRunning
		}
		return nil, fmt.Errorf("locking %s: %w", p, err)
	}
	// The PID is only for people reading the file; the lock is the flock.
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return f, nil
}

func (l *flockImpl) release() error {
	if l.name != nil {
		l.name.Close()
	}
	if l.f == nil {
		return nil
	}
	unix.Flock(int(l.f.Fd()), unix.LOCK_UN)
	return l.f.Close()
}

func (l *flockImpl) degradedErr() error { return l.degraded }

// withName serves the lock's socket name next to the socket in Dir (or
// alone, when Dir is unusable), so a later launch reaches this instance
// even after the runtime directory was removed or replaced.
func (l *flockImpl) withName(ln listener, err error) (listener, error) {
	if l.name == nil {
		return ln, err
	}
	if err != nil {
		return newUnixListener(nil, l.name), nil
	}
	u := ln.(*unixListener)
	u.lns = append(u.lns, l.name) // before the first accept starts the loops
	return u, nil
}

func socketPath() (string, error) {
	d, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "traycheck.sock"), nil
}

// unixListener is the Unix-socket endpoint: the socket in Dir, and on
// Linux the lock's abstract name, accepted from together. cut stops the
// reads of open connections on close, so a client that connected and says
// nothing does not hold Server.Close for the whole read timeout. Close
// closes the socket in Dir; the name belongs to the lock, which closes it
// on release.
type unixListener struct {
	lns      []*net.UnixListener // [0] is the socket in Dir (nil when none)
	cut      readCutoff
	accepted chan acceptResult
	closed   chan struct{}
	start    sync.Once
	stop     sync.Once
}

type acceptResult struct {
	c   *net.UnixConn
	err error
}

func newUnixListener(lns ...*net.UnixListener) *unixListener {
	return &unixListener{lns: lns, accepted: make(chan acceptResult), closed: make(chan struct{})}
}

// loops starts one accept loop per socket.
func (u *unixListener) loops() {
	for _, ln := range u.lns {
		if ln == nil {
			continue
		}
		go func() {
			for {
				c, err := ln.AcceptUnix()
				select {
				case u.accepted <- acceptResult{c, err}:
				case <-u.closed:
					if c != nil {
						c.Close()
					}
					return
				}
				if err != nil {
					return
				}
			}
		}()
	}
}

func listen() (listener, error) {
	p, err := socketPath()
	if err != nil {
		return nil, err
	}
	// A socket file left by a crashed instance: safe to remove, because
	// only the holder of the lock gets here.
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: p, Net: "unix"})
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(p, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	ln.SetUnlinkOnClose(true)
	return newUnixListener(ln), nil
}

func (u *unixListener) accept() (conn, error) {
	u.start.Do(u.loops)
	select {
	case a := <-u.accepted:
		if a.err != nil {
			return nil, a.err
		}
		return u.cut.track(a.c), nil
	case <-u.closed:
		return nil, net.ErrClosed
	}
}

func (u *unixListener) close() error {
	u.stop.Do(func() { close(u.closed) })
	u.cut.cut()
	if u.lns[0] != nil {
		return u.lns[0].Close()
	}
	return nil
}

// peer checks the connecting process's UID with SO_PEERCRED (Linux) or
// LOCAL_PEERCRED (macOS): the kernel's word, not the client's.
func (u *unixListener) peer(c conn) error {
	if cc, ok := c.(*cutConn); ok {
		c = cc.unwrap()
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return errors.New("not a unix socket")
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return err
	}
	var uid int
	var credErr error
	if err := raw.Control(func(fd uintptr) { uid, credErr = peerUID(int(fd)) }); err != nil {
		return err
	}
	if credErr != nil {
		return fmt.Errorf("reading peer credentials: %w", credErr)
	}
	if uid != os.Getuid() {
		return fmt.Errorf("peer UID %d is not %d", uid, os.Getuid())
	}
	return nil
}

// dial connects to the running instance: at the socket in Dir, else (the
// directory was removed or replaced under it) at the session's abstract
// name, whose listener must run as our user (dialName refuses any other
// before a byte is sent).
func dial(ctx context.Context) (conn, error) {
	c, err := dialDir(ctx)
	if err == nil || !errors.Is(err, ErrNotRunning) && !errors.Is(err, errNoDir) {
		return c, err
	}
	if nc, nerr := dialName(ctx); nerr == nil {
		return nc, nil
	}
	// Nothing at the name, or a name another user squats (our instance
	// then runs on its flock and the socket in Dir, which just said no):
	// the directory's answer stands, so a squatter cannot fail check-now.
	return nil, err
}

// errNoDir marks a runtime directory that cannot be used.
var errNoDir = errors.New("no usable runtime directory")

func dialDir(ctx context.Context) (conn, error) {
	p, err := socketPath()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errNoDir, err)
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", p)
	if err != nil {
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("%w: %w", ErrNotRunning, err)
		}
		return nil, fmt.Errorf("connecting to the running instance: %w", err)
	}
	return c.(*net.UnixConn), nil
}

// connUID is the UID of the process at the other end of c (for a client,
// the one that bound the listening socket).
func connUID(c *net.UnixConn) (int, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return -1, err
	}
	uid, credErr := -1, error(nil)
	if err := raw.Control(func(fd uintptr) { uid, credErr = peerUID(int(fd)) }); err != nil {
		return -1, err
	}
	return uid, credErr
}

func euid() int { return os.Geteuid() }
