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
	"syscall"

	"golang.org/x/sys/unix"
)

// Dir is the private per-user directory that holds the lock and the socket:
// $XDG_RUNTIME_DIR, or os.TempDir()/traycheck-UID when that is unset. Either
// must be a real directory of ours that nobody else can enter, because
// whoever can create files there could stand in for the running instance.
func Dir() (string, error) {
	d := os.Getenv("XDG_RUNTIME_DIR")
	if d == "" || !filepath.IsAbs(d) {
		d = filepath.Join(os.TempDir(), "traycheck-"+strconv.Itoa(os.Getuid()))
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

type flockImpl struct{ f *os.File }

func acquire() (lockImpl, error) {
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
	return &flockImpl{f: f}, nil
}

func (l *flockImpl) release() error {
	unix.Flock(int(l.f.Fd()), unix.LOCK_UN)
	return l.f.Close()
}

func socketPath() (string, error) {
	d, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "traycheck.sock"), nil
}

// unixListener is the Unix-socket endpoint. cut stops the reads of open
// connections on close, so a client that connected and says nothing does
// not hold Server.Close for the whole read timeout.
type unixListener struct {
	ln  *net.UnixListener
	cut readCutoff
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
	return &unixListener{ln: ln}, nil
}

func (u *unixListener) accept() (conn, error) {
	c, err := u.ln.AcceptUnix()
	if err != nil {
		return nil, err
	}
	return u.cut.track(c), nil
}

func (u *unixListener) close() error {
	u.cut.cut()
	return u.ln.Close()
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

func dial(ctx context.Context) (conn, error) {
	p, err := socketPath()
	if err != nil {
		return nil, err
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

func euid() int { return os.Geteuid() }
