package instance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
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

// pipeListener creates one pipe instance per client. Every handle is
// overlapped so that the runtime's poller gives its *os.File real deadlines:
// a client that connects and stays silent is dropped after connTimeout
// instead of holding one of the server's maxConns slots for good.
type pipeListener struct {
	name string
	sid  *windows.SID
	sa   *windows.SecurityAttributes
	// stop is a manual-reset event that close sets to end a pending
	// ConnectNamedPipe. close closes it when no accept is waiting on it,
	// else the waiting accept does on its way out.
	stop windows.Handle
	cut  readCutoff
	mu   sync.Mutex
	// next is the instance the next client connects to, made before the
	// previous one is handed on, so the name never lapses: no squatter
	// can take it between two clients.
	next    windows.Handle
	first   bool
	closed  bool
	waiting bool
}

// errListenerClosed is what accept returns once close was called.
var errListenerClosed = errors.New("instance: pipe listener closed")

func listen() (listener, error) {
	name, sid, err := pipeName()
	if err != nil {
		return nil, err
	}
	sa, err := ownerOnly(sid)
	if err != nil {
		return nil, err
	}
	p := &pipeListener{name: name, sid: sid, sa: sa, first: true}
	// The first instance is made here, so that a squatter who holds the
	// name already makes Listen fail rather than a later accept.
	if p.next, err = p.create(); err != nil {
		return nil, err
	}
	if p.stop, err = windows.CreateEvent(nil, 1, 0, nil); err != nil {
		windows.CloseHandle(p.next)
		return nil, fmt.Errorf("creating the pipe's stop event: %w", err)
	}
	return p, nil
}

// pipeConn is one end of the pipe. h is the File's own handle, kept because
// File.Fd would take the handle off the runtime's poller and so lose the
// deadlines.
type pipeConn struct {
	*os.File
	h windows.Handle
}

// pipeOf finds the pipe under a connection the listener handed out.
func pipeOf(c conn) (*pipeConn, bool) {
	if cc, ok := c.(*cutConn); ok {
		c = cc.unwrap()
	}
	pc, ok := c.(*pipeConn)
	return pc, ok
}

func (p *pipeListener) accept() (conn, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errListenerClosed
	}
	p.waiting = true
	h := p.next
	p.next = 0
	p.mu.Unlock()
	defer p.doneWaiting()
	for {
		if h == 0 {
			var err error
			if h, err = p.create(); err != nil {
				return nil, err
			}
		}
		err := p.connect(h)
		if errors.Is(err, windows.ERROR_NO_DATA) && !p.isClosed() {
			// The client left before we connected it: wait for the
			// next one on a new instance, made before this one goes.
			next, cerr := p.create()
			windows.CloseHandle(h)
			if cerr != nil {
				return nil, cerr
			}
			h = next
			continue
		}
		if err != nil {
			windows.CloseHandle(h)
			return nil, err
		}
		if p.isClosed() {
			windows.CloseHandle(h)
			return nil, errListenerClosed
		}
		// A failure here is left to the next accept, which tries again
		// and reports it.
		if next, err := p.create(); err == nil {
			p.mu.Lock()
			p.next = next
			p.mu.Unlock()
		}
		// NewFile sees the handle is overlapped and puts it on the
		// runtime's poller, which is what makes SetDeadline work.
		f := os.NewFile(uintptr(h), p.name)
		if err := f.SetDeadline(time.Time{}); err != nil {
			// Without deadlines one silent client could hold a slot for
			// good: refuse to serve rather than serve unbounded.
			f.Close()
			return nil, fmt.Errorf("pipe %s has no deadlines: %w", p.name, err)
		}
		return p.cut.track(&pipeConn{File: f, h: h}), nil
	}
}

// create makes the next pipe instance.
func (p *pipeListener) create() (windows.Handle, error) {
	flags := uint32(windows.PIPE_ACCESS_DUPLEX | windows.FILE_FLAG_OVERLAPPED)
	p.mu.Lock()
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
		return 0, fmt.Errorf("creating pipe %s: %w", p.name, err)
	}
	return h, nil
}

func (p *pipeListener) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// connect waits for a client on pipe instance h, or until close.
func (p *pipeListener) connect(h windows.Handle) error {
	ev, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		return fmt.Errorf("creating a pipe event: %w", err)
	}
	defer windows.CloseHandle(ev)
	// The kernel writes to ov after ConnectNamedPipe returns: it must live
	// on the heap (escape analysis would put it on a stack that can move)
	// and stay put until GetOverlappedResult.
	ov := &windows.Overlapped{HEvent: ev}
	var pin runtime.Pinner
	pin.Pin(ov)
	defer pin.Unpin()
	err = windows.ConnectNamedPipe(h, ov)
	switch {
	case err == nil, errors.Is(err, windows.ERROR_PIPE_CONNECTED):
		// A client came between CreateNamedPipe and now.
		return nil
	case errors.Is(err, windows.ERROR_NO_DATA):
		// The client connected and left already; accept moves on.
		return err
	case !errors.Is(err, windows.ERROR_IO_PENDING):
		return fmt.Errorf("waiting for a pipe client: %w", err)
	}
	got, werr := windows.WaitForMultipleObjects([]windows.Handle{ev, p.stop}, false, windows.INFINITE)
	if werr != nil || got != windows.WAIT_OBJECT_0 {
		// Stopping (or the wait failed): the kernel must be done with ov
		// before ov and ev go, so cancel and then wait for the result.
		windows.CancelIoEx(h, ov)
	}
	var n uint32
	if err := windows.GetOverlappedResult(h, ov, &n, true); err != nil {
		if errors.Is(err, windows.ERROR_OPERATION_ABORTED) && werr == nil {
			return errListenerClosed
		}
		if werr != nil {
			err = werr
		}
		return fmt.Errorf("waiting for a pipe client: %w", err)
	}
	return nil
}

// doneWaiting ends an accept; if close came meanwhile, the handles close
// left to it go.
func (p *pipeListener) doneWaiting() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.waiting = false
	if p.closed {
		p.release()
	}
}

// release closes the stop event and the spare instance; p.mu is held and
// no accept is waiting.
func (p *pipeListener) release() {
	if p.stop != 0 {
		windows.CloseHandle(p.stop)
		p.stop = 0
	}
	if p.next != 0 {
		windows.CloseHandle(p.next)
		p.next = 0
	}
}

// peer compares the client process's user SID with ours; the pipe's DACL
// already admits only our user, this checks it again at the kernel's word.
func (p *pipeListener) peer(c conn) error {
	pc, ok := pipeOf(c)
	if !ok {
		return errors.New("not a pipe")
	}
	var pid uint32
	if err := windows.GetNamedPipeClientProcessId(pc.h, &pid); err != nil {
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

// close ends a pending ConnectNamedPipe and cuts off the clients that
// have not sent their request; requests already read get their replies.
func (p *pipeListener) close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	var err error
	if p.waiting {
		err = windows.SetEvent(p.stop)
	} else {
		p.release()
	}
	p.mu.Unlock()
	p.cut.cut()
	if err != nil {
		return fmt.Errorf("stopping the pipe listener: %w", err)
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
			if err := windows.GetNamedPipeServerProcessId(c.h, &pid); err != nil {
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

func dialPipe(name string) (*pipeConn, error) {
	n, _ := windows.UTF16PtrFromString(name)
	// SECURITY_IDENTIFICATION: the server may learn who we are but not act
	// as us. Overlapped, so that Send's deadline holds on this end too.
	h, err := windows.CreateFile(n, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING,
		windows.SECURITY_SQOS_PRESENT|windows.SECURITY_IDENTIFICATION|windows.FILE_FLAG_OVERLAPPED, 0)
	if err != nil {
		return nil, err
	}
	return &pipeConn{File: os.NewFile(uintptr(h), name), h: h}, nil
}
