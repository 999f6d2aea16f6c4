package sockdiag

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/vpnport/netlink"
)

// Dumper is a NETLINK_SOCK_DIAG connection kept open across dumps, with
// its request buffer; it dials on first use. The zero value is ready. It is
// for one goroutine at a time.
type Dumper struct {
	conn *netlink.Conn
	req  []byte
	// PerFamily asks for TCP per address family, like UDP, instead of
	// with one TCPDIAG_GETSOCK; it is set once a kernel refuses that.
	PerFamily bool
}

// Close closes the connection; the next Dump dials again.
func (d *Dumper) Close() error {
	if d.conn == nil {
		return nil
	}
	err := d.conn.Close()
	d.conn = nil
	return err
}

// Dump appends to dst every socket of proto (TCP or UDP), both address
// families, in states, whose local port is port. On an error dst comes
// back as it was and the connection is closed (a half-read dump would
// leave replies queued; a fresh socket is simpler than draining it).
func (d *Dumper) Dump(ctx context.Context, dst []Entry, proto uint8, states uint32, port uint16) ([]Entry, error) {
	if d.conn == nil {
		c, err := netlink.Dial(unix.NETLINK_SOCK_DIAG)
		if err != nil {
			return dst, fmt.Errorf("sock_diag: %w", err)
		}
		d.conn = c
	}
	if proto == TCP && !d.PerFamily {
		seq := d.conn.Seq()
		d.req = AppendCompatRequest(d.req[:0], seq, states, port)
		out, err := d.exchange(ctx, dst, seq)
		if err == nil {
			return out, nil
		}
		var kerr netlink.Errno
		if !errors.As(err, &kerr) {
			d.Close()
			return dst, fmt.Errorf("tcp_diag tcp/%d: %w", port, err)
		}
		switch unix.Errno(kerr.Code()) {
		case unix.ENOENT, unix.EINVAL, unix.EOPNOTSUPP:
			// A kernel without the old request: ask per family from now on.
			d.PerFamily = true
		default:
			// Anything else may pass: per family this time only.
		}
	}
	start := len(dst)
	for _, fam := range [2]uint8{AFInet, AFInet6} {
		seq := d.conn.Seq()
		d.req = AppendRequest(d.req[:0], seq, fam, proto, states, port)
		out, err := d.exchange(ctx, dst, seq)
		var kerr netlink.Errno
		switch {
		case errors.As(err, &kerr) && unix.Errno(kerr.Code()) == unix.ENOENT:
			// No such family/protocol module (IPv6 disabled): no sockets.
		case err != nil:
			d.Close()
			return dst[:start], fmt.Errorf("sock_diag %s/%d family %d: %w", protoName(proto), port, fam, err)
		default:
			dst = out
		}
	}
	return dst, nil
}

// exchange sends d.req and decodes the replies to it; on an error dst is
// returned as it was.
func (d *Dumper) exchange(ctx context.Context, dst []Entry, seq uint32) ([]Entry, error) {
	start := len(dst)
	err := d.conn.Exchange(ctx, d.req, func(b []byte) (bool, error) {
		var done bool
		var err error
		dst, done, err = Decode(dst, b, seq)
		return done, err
	})
	if err != nil {
		return dst[:start], err
	}
	return dst, nil
}

func protoName(p uint8) string {
	switch p {
	case TCP:
		return "tcp"
	case UDP:
		return "udp"
	}
	return fmt.Sprintf("protocol %d", p)
}
