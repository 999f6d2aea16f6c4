package netlink

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// Timeout bounds one receive, so a wedged kernel reply cannot hang a probe
// past its context forever; replies normally arrive in microseconds.
const Timeout = 2 * time.Second

// Conn is a netlink socket of one protocol with its receive buffer. It is
// for one goroutine at a time.
type Conn struct {
	fd  int
	seq uint32
	buf []byte
}

// Dial opens a netlink socket of proto (unix.NETLINK_SOCK_DIAG,
// NETLINK_ROUTE, NETLINK_GENERIC) bound to a kernel-chosen port id.
func Dial(proto int) (*Conn, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return nil, fmt.Errorf("opening netlink socket %d: %w", proto, err)
	}
	tv := unix.NsecToTimeval(int64(Timeout))
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("setting netlink receive timeout: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("binding netlink socket: %w", err)
	}
	// The kernel fills dump replies up to the reader's buffer (at most
	// 32 KiB per batch by default), so one receive usually takes all.
	return &Conn{fd: fd, buf: make([]byte, 32<<10)}, nil
}

// Seq returns a fresh sequence number for the next request, so replies to
// an abandoned one are told apart.
func (c *Conn) Seq() uint32 {
	c.seq++
	return c.seq
}

// Exchange sends req and hands every reply datagram to decode until it
// reports done or fails. ctx is looked at before each receive; one receive
// waits at most Timeout. After an error the socket may hold unread replies:
// callers close it rather than drain it.
func (c *Conn) Exchange(ctx context.Context, req []byte, decode func(b []byte) (done bool, err error)) error {
	if err := unix.Sendto(c.fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("sending request: %w", err)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, _, err := unix.Recvfrom(c.fd, c.buf, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("reading reply: %w", err)
		}
		done, err := decode(c.buf[:n])
		if err != nil || done {
			return err
		}
	}
}

// Close closes the socket.
func (c *Conn) Close() error { return unix.Close(c.fd) }
