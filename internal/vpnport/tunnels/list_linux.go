package tunnels

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/vpnport/netlink"
)

// List returns the kernel's tunnel interfaces and their ports, in the
// calling thread's network namespace. The link dump needs no privilege;
// WireGuard's listen port does (CAP_NET_ADMIN), and without it the port of
// a WireGuard interface stays 0.
func List(ctx context.Context) ([]Port, error) {
	var ts []Port
	err := roundTrip(ctx, unix.NETLINK_ROUTE, appendLinkDumpReq(nil, 1), func(b []byte) (bool, error) {
		var done bool
		var err error
		ts, done, err = decodeLinks(ts, b, 1)
		return done, err
	})
	if err != nil {
		return ts, fmt.Errorf("rtnetlink link dump: %w", err)
	}
	var wg []int
	for i, t := range ts {
		if t.Kind == "wireguard" {
			wg = append(wg, i)
		}
	}
	if len(wg) == 0 {
		return ts, nil
	}
	var family uint16
	err = roundTrip(ctx, unix.NETLINK_GENERIC, appendGenlFamilyReq(nil, 1, "wireguard"), func(b []byte) (bool, error) {
		var err error
		family, err = decodeGenlFamilyID(b, 1)
		return true, err
	})
	if err != nil {
		return ts, fmt.Errorf("resolving the wireguard genetlink family: %w", err)
	}
	for n, i := range wg {
		seq := uint32(2 + n)
		err := roundTrip(ctx, unix.NETLINK_GENERIC, appendWGGetDeviceReq(nil, seq, family, ts[i].Name), func(b []byte) (bool, error) {
			return decodeWGDevice(ts, b, seq, family)
		})
		var kerr netlink.Errno
		if errors.As(err, &kerr) && unix.Errno(kerr.Code()) == unix.EPERM {
			// Unprivileged: the port stays unknown, which the holder
			// text turns into "one of these WireGuard interfaces".
			return ts, nil
		}
		if err != nil {
			return ts, fmt.Errorf("wireguard device %s: %w", ts[i].Name, err)
		}
	}
	return ts, nil
}

// roundTrip sends req on a fresh netlink connection of proto and hands
// every reply datagram to decode until it reports done. Tunnel lookups are
// rare (only for a socket no process owns), so a connection per call is fine.
func roundTrip(ctx context.Context, proto int, req []byte, decode func([]byte) (bool, error)) error {
	c, err := netlink.Dial(proto)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Exchange(ctx, req, decode)
}
