package instance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Dir has no meaning on Windows: the lock is a named mutex and the channel a
// named pipe, both named after the user's SID.
func Dir() (string, error) { return "", ErrUnsupported }

func euid() int { return -1 }

// userSID is the SID of the user this process runs as.
func userSID() (*windows.SID, error) {
	tok := windows.GetCurrentProcessToken()
	tu, err := tok.GetTokenUser()
	if err != nil {
		return nil, fmt.Errorf("reading the process token: %w", err)
	}
	return tu.User.Sid.Copy()
}

// ownerOnly returns security attributes that give our user, and no one else,
// access to the mutex or pipe.
func ownerOnly(sid *windows.SID) (*windows.SecurityAttributes, error) {
	sd, err := windows.SecurityDescriptorFromString("D:P(A;;GA;;;" + sid.String() + ")")
	if err != nil {
		return nil, err
	}
	sa := &windows.SecurityAttributes{SecurityDescriptor: sd}
	sa.Length = uint32(unsafe.Sizeof(*sa))
	return sa, nil
}

type mutexImpl struct{ h windows.Handle }

func acquire() (lockImpl, error) {
	sid, err := userSID()
	if err != nil {
		return nil, err
	}
	sa, err := ownerOnly(sid)
	if err != nil {
		return nil, err
	}
	// Local\ is the session's namespace: one instance per logon session.
	name, _ := windows.UTF16PtrFromString(`Local\traycheck-` + sid.String())
	h, err := windows.CreateMutex(sa, false, name)
	if err != nil {
		if h != 0 {
			windows.CloseHandle(h)
		}
		if errors.Is(err, windows.ERROR_ALREADY_EXISTS) || errors.Is(err, windows.ERROR_ACCESS_DENIED) {
			return nil, ErrRunning
		}
		return nil, fmt.Errorf("creating the instance mutex: %w", err)
	}
	return &mutexImpl{h: h}, nil
}

// release closes the handle; the kernel destroys the mutex with the last
// handle, which is also what happens when the process dies.
func (m *mutexImpl) release() error { return windows.CloseHandle(m.h) }

func pipeName() (string, *windows.SID, error) {
	sid, err := userSID()
	if err != nil {
		return "", nil, err
	}
	return `\\.\pipe\traycheck-` + sid.String(), sid, nil
}

type pipeListener struct {
	name   string
	sid    *windows.SID
	sa     *windows.SecurityAttributes
	first  bool
	closed atomic.Bool
	mu     sync.Mutex
}

func listen() (listener, error) {
	name, sid, err := pipeName()
	if err != nil {
		return nil, err
	}
	sa, err := ownerOnly(sid)
	if err != nil {
		return nil, err
	}
	return &pipeListener{name: name, sid: sid, sa: sa, first: true}, nil
}

type pipeConn struct{ *os.File }

// SetDeadline is a no-op: a synchronous pipe handle has no deadlines; the
// server's connection limit bounds a client that stalls.
func (pipeConn) SetDeadline(time.Time) error { return nil }

func (p *pipeListener) accept() (conn, error) {
	p.mu.Lock()
	flags := uint32(windows.PIPE_ACCESS_DUPLEX)
	if p.first {
		// Fails if someone else already created a pipe of this name, so
		// nobody can squat it and receive our clients' requests.
		flags |= windows.FILE_FLAG_FIRST_PIPE_INSTANCE
		p.first = false
	}
	p.mu.Unlock()
	name, _ := windows.UTF16PtrFromString(p.name)
	h, err := windows.CreateNamedPipe(name, flags,
		windows.PIPE_TYPE_BYTE|windows.PIPE_READMODE_BYTE|windows.PIPE_WAIT|windows.PIPE_REJECT_REMOTE_CLIENTS,
		windows.PIPE_UNLIMITED_INSTANCES, MaxReply, MaxMessage, 0, p.sa)
	if err != nil {
		return nil, fmt.Errorf("creating pipe %s: %w", p.name, err)
	}
	if err := windows.ConnectNamedPipe(h, nil); err != nil && !errors.Is(err, windows.ERROR_PIPE_CONNECTED) {
		windows.CloseHandle(h)
		return nil, fmt.Errorf("waiting for a pipe client: %w", err)
	}
	if p.closed.Load() {
		windows.CloseHandle(h)
		return nil, errors.New("listener closed")
	}
	return pipeConn{os.NewFile(uintptr(h), p.name)}, nil
}

// peer compares the client process's user SID with ours; the pipe's DACL
// already admits only our user, this checks it again at the kernel's word.
func (p *pipeListener) peer(c conn) error {
	pc, ok := c.(pipeConn)
	if !ok {
		return errors.New("not a pipe")
	}
	var pid uint32
	if err := windows.GetNamedPipeClientProcessId(windows.Handle(pc.Fd()), &pid); err != nil {
		return fmt.Errorf("reading the pipe client: %w", err)
	}
	return sameUser(pid, p.sid)
}

// sameUser checks that process pid runs as sid.
func sameUser(pid uint32, sid *windows.SID) error {
	ph, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		return fmt.Errorf("opening process %d: %w", pid, err)
	}
	defer windows.CloseHandle(ph)
	var tok windows.Token
	if err := windows.OpenProcessToken(ph, windows.TOKEN_QUERY, &tok); err != nil {
		return fmt.Errorf("reading process %d's token: %w", pid, err)
	}
	defer tok.Close()
	tu, err := tok.GetTokenUser()
	if err != nil {
		return err
	}
	if !tu.User.Sid.Equals(sid) {
		return fmt.Errorf("process %d runs as %s, not %s", pid, tu.User.Sid, sid)
	}
	return nil
}

// close unblocks a pending ConnectNamedPipe by connecting once.
func (p *pipeListener) close() error {
	if p.closed.Swap(true) {
		return nil
	}
	if c, err := dialPipe(p.name); err == nil {
		c.Close()
	}
	return nil
}

func dial(ctx context.Context) (conn, error) {
	name, sid, err := pipeName()
	if err != nil {
		return nil, err
	}
	for tries := 0; ; tries++ {
		c, err := dialPipe(name)
		if err == nil {
			// Pipe names are machine-wide: make sure the server is ours and
			// not another user's squatter before handing it a token.
			var pid uint32
			if err := windows.GetNamedPipeServerProcessId(windows.Handle(c.(pipeConn).Fd()), &pid); err != nil {
				c.Close()
				return nil, fmt.Errorf("reading the pipe server: %w", err)
			}
			if err := sameUser(pid, sid); err != nil {
				c.Close()
				return nil, fmt.Errorf("refusing the pipe server: %w", err)
			}
			return c, nil
		}
		// Between two clients the server has no pipe instance for a moment.
		if errors.Is(err, windows.ERROR_FILE_NOT_FOUND) && tries >= 4 {
			return nil, fmt.Errorf("%w: %w", ErrNotRunning, err)
		}
		if !errors.Is(err, windows.ERROR_FILE_NOT_FOUND) && !errors.Is(err, windows.ERROR_PIPE_BUSY) {
			return nil, fmt.Errorf("connecting to the running instance: %w", err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func dialPipe(name string) (conn, error) {
	n, _ := windows.UTF16PtrFromString(name)
	// SECURITY_IDENTIFICATION: the server may learn who we are but not act
	// as us.
	h, err := windows.CreateFile(n, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING,
		windows.SECURITY_SQOS_PRESENT|windows.SECURITY_IDENTIFICATION, 0)
	if err != nil {
		return nil, err
	}
	return pipeConn{os.NewFile(uintptr(h), name)}, nil
}
