package vpnport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/vpnport/netlink"
)

// linuxKernelUDPHolder names the kernel interface holding UDP port, asked
// only when a live socket on it has no owner process. The link dump needs no
// privilege; WireGuard's listen port does (CAP_NET_ADMIN), so unprivileged
// the WireGuard interfaces present are named as the likely holder.
func linuxKernelUDPHolder(ctx context.Context, port uint16) string {
	s, _ := linuxKernelUDPHolderExact(ctx, port)
	return s
}

// linuxKernelUDPHolderExact also says whether the kernel reported an
// interface on exactly this port.
func linuxKernelUDPHolderExact(ctx context.Context, port uint16) (string, bool) {
	ts, err := linuxTunnelPorts(ctx)
	if err != nil {
		slog.Debug("listing kernel tunnel interfaces", "err", err)
	}
	return kernelHolderExact(ts, port)
}

// linuxTunnelPorts lists the kernel's tunnel interfaces and their ports.
func linuxTunnelPorts(ctx context.Context) ([]tunnelPort, error) {
	var ts []tunnelPort
	err := nlRoundTrip(ctx, unix.NETLINK_ROUTE, appendLinkDumpReq(nil, 1), func(b []byte) (bool, error) {
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
	err = nlRoundTrip(ctx, unix.NETLINK_GENERIC, appendGenlFamilyReq(nil, 1, "wireguard"), func(b []byte) (bool, error) {
		var err error
		family, err = decodeGenlFamilyID(b, 1)
		return true, err
	})
	if err != nil {
		return ts, fmt.Errorf("resolving the wireguard genetlink family: %w", err)
	}
	for n, i := range wg {
		seq := uint32(2 + n)
		err := nlRoundTrip(ctx, unix.NETLINK_GENERIC, appendWGGetDeviceReq(nil, seq, family, ts[i].Name), func(b []byte) (bool, error) {
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

// nlRoundTrip sends req on a fresh netlink connection of proto and hands
// every reply datagram to decode until it reports done. Tunnel lookups are
// rare (only for a socket no process owns), so a connection per call is fine.
func nlRoundTrip(ctx context.Context, proto int, req []byte, decode func([]byte) (bool, error)) error {
	c, err := netlink.Dial(proto)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Exchange(ctx, req, decode)
}
