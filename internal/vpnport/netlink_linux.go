package vpnport

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/vpnport/netlink"
)

// linuxDiag is a NETLINK_SOCK_DIAG connection kept open across probes, with
// its request buffer. conn is nil while closed.
type linuxDiag struct {
	conn *netlink.Conn
	req  []byte
	// noCompat: this kernel refused TCPDIAG_GETSOCK; TCP is asked per
	// family like UDP.
	noCompat bool
}

func (d *linuxDiag) open() error {
	if d.conn != nil {
		return nil
	}
	c, err := netlink.Dial(unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return fmt.Errorf("sock_diag: %w", err)
	}
	d.conn = c
	return nil
}

func (d *linuxDiag) close() error {
	if d.conn == nil {
		return nil
	}
	err := d.conn.Close()
	d.conn = nil
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
		seq := d.conn.Seq()
		d.req = appendTCPDiagReq(d.req[:0], seq, states, port)
		out, err := d.exchange(ctx, dst, seq, proto)
		if err == nil {
			return out, nil
		}
		var kerr netlink.Errno
		if !errors.As(err, &kerr) {
			d.close()
			return dst, fmt.Errorf("tcp_diag tcp/%d: %w", port, err)
		}
		switch unix.Errno(kerr.Code()) {
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
	seq := d.conn.Seq()
	d.req = appendInetDiagReqStates(d.req[:0], seq, fam, ipproto, states, port)
	out, err := d.exchange(ctx, dst, seq, proto)
	var kerr netlink.Errno
	if errors.As(err, &kerr) && unix.Errno(kerr.Code()) == unix.ENOENT {
		// No such family/protocol module (IPv6 disabled): no sockets.
		return dst, nil
	}
	return out, err
}

// exchange sends d.req and decodes the replies to it; on an error dst is
// returned as it was.
func (d *linuxDiag) exchange(ctx context.Context, dst []Socket, seq uint32, proto Kind) ([]Socket, error) {
	start := len(dst)
	err := d.conn.Exchange(ctx, d.req, func(b []byte) (bool, error) {
		var done bool
		var err error
		dst, done, err = decodeInetDiag(dst, b, seq, proto)
		return done, err
	})
	if err != nil {
		return dst[:start], err
	}
	return dst, nil
}
