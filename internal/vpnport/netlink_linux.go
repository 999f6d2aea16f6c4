package vpnport

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// linuxDiag is a NETLINK_SOCK_DIAG socket kept open across probes, with its
// request and receive buffers. fd is -1 while closed.
type linuxDiag struct {
	fd  int
	seq uint32
	req []byte
	buf []byte
	// noCompat: this kernel refused TCPDIAG_GETSOCK; TCP is asked per
	// family like UDP.
	noCompat bool
}

// linuxDiagRecvTimeout bounds one recv so a wedged kernel reply cannot hang
// the probe past its context forever; replies normally arrive in microseconds.
const linuxDiagRecvTimeout = 2 * time.Second

func (d *linuxDiag) open() error {
	if d.fd >= 0 {
		return nil
	}
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return fmt.Errorf("opening sock_diag netlink socket: %w", err)
	}
	tv := unix.NsecToTimeval(int64(linuxDiagRecvTimeout))
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		unix.Close(fd)
		return fmt.Errorf("setting sock_diag timeout: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return fmt.Errorf("binding sock_diag netlink socket: %w", err)
	}
	d.fd = fd
	if d.buf == nil {
		// The kernel fills dump replies up to the reader's buffer (at most
		// 32 KiB per batch by default), so one recv usually takes all.
		d.buf = make([]byte, 32<<10)
	}
	return nil
}

func (d *linuxDiag) close() error {
	if d.fd < 0 {
		return nil
	}
	err := unix.Close(d.fd)
	d.fd = -1
	return err
}

// dump appends to dst every socket of proto (TCP or UDP), both address
// families, whose local port is port.
func (d *linuxDiag) dump(ctx context.Context, dst []Socket, proto Kind, port uint16) ([]Socket, error) {
	return d.dumpStates(ctx, dst, proto, inetDiagAllStates, port)
}

// dumpStates is dump for the sockets whose state is in the bitmask states.
func (d *linuxDiag) dumpStates(ctx context.Context, dst []Socket, proto Kind, states uint32, port uint16) ([]Socket, error) {
	if err := d.open(); err != nil {
		return dst, err
	}
	if proto == TCP && !d.noCompat {
		d.seq++
		d.req = appendTCPDiagReq(d.req[:0], d.seq, states, port)
		out, err := d.exchange(ctx, dst, proto)
		if err == nil {
			return out, nil
		}
		var kerr inetDiagErrno
		if !errors.As(err, &kerr) {
			d.close()
			return dst, fmt.Errorf("tcp_diag tcp/%d: %w", port, err)
		}
		switch unix.Errno(-kerr) {
		case unix.ENOENT, unix.EINVAL, unix.EOPNOTSUPP:
			// A kernel without the old request: ask per family from now on.
			d.noCompat = true
		default:
			// Anything else may pass: per family this time only.
		}
	}
	ipproto := uint8(ipprotoTCP)
	if proto == UDP {
		ipproto = ipprotoUDP
	}
	for _, fam := range [2]uint8{afInet, afInet6} {
		var err error
		dst, err = d.dumpOne(ctx, dst, fam, ipproto, proto, states, port)
		if err != nil {
			// A half-read dump would leave replies queued; a fresh socket
			// is simpler than draining it (sequence numbers guard anyway).
			d.close()
			return dst, fmt.Errorf("sock_diag %s/%d family %d: %w", proto, port, fam, err)
		}
	}
	return dst, nil
}

func (d *linuxDiag) dumpOne(ctx context.Context, dst []Socket, fam, ipproto uint8, proto Kind, states uint32, port uint16) ([]Socket, error) {
	d.seq++
	d.req = appendInetDiagReqStates(d.req[:0], d.seq, fam, ipproto, states, port)
	out, err := d.exchange(ctx, dst, proto)
	var kerr inetDiagErrno
	if errors.As(err, &kerr) && unix.Errno(-kerr) == unix.ENOENT {
		// No such family/protocol module (IPv6 disabled): no sockets.
		return dst, nil
	}
	return out, err
}

// exchange sends d.req and decodes the replies to it.
func (d *linuxDiag) exchange(ctx context.Context, dst []Socket, proto Kind) ([]Socket, error) {
	if err := unix.Sendto(d.fd, d.req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return dst, fmt.Errorf("sending request: %w", err)
	}
	start := len(dst)
	for {
		if err := ctx.Err(); err != nil {
			return dst, err
		}
		n, _, err := unix.Recvfrom(d.fd, d.buf, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return dst, fmt.Errorf("reading reply: %w", err)
		}
		var done bool
		dst, done, err = decodeInetDiag(dst, d.buf[:n], d.seq, proto)
		if err != nil {
			return dst[:start], err
		}
		if done {
			return dst, nil
		}
	}
}
