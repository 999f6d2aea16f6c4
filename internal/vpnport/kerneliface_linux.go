package vpnport

import (
	"errors"
	"fmt"
	"log/slog"

	"golang.org/x/sys/unix"
)

// linuxKernelUDPHolder names the kernel interface holding UDP port, asked
// only when a live socket on it has no owner process. The link dump needs no
// privilege; WireGuard's listen port does (CAP_NET_ADMIN), so unprivileged
// the WireGuard interfaces present are named as the likely holder.
func linuxKernelUDPHolder(port uint16) string {
	s, _ := linuxKernelUDPHolderExact(port)
	return s
}

// linuxKernelUDPHolderExact also says whether the kernel reported an
// interface on exactly this port.
func linuxKernelUDPHolderExact(port uint16) (string, bool) {
	ts, err := linuxTunnelPorts()
	if err != nil {
		slog.Debug("listing kernel tunnel interfaces", "err", err)
	}
	return kernelHolderExact(ts, port)
}

// linuxTunnelPorts lists the kernel's tunnel interfaces and their ports.
func linuxTunnelPorts() ([]tunnelPort, error) {
	var ts []tunnelPort
	err := nlRoundTrip(unix.NETLINK_ROUTE, appendLinkDumpReq(nil, 1), func(b []byte) (bool, error) {
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
	err = nlRoundTrip(unix.NETLINK_GENERIC, appendGenlFamilyReq(nil, 1, "wireguard"), func(b []byte) (bool, error) {
		var err error
		family, err = decodeGenlFamilyID(b, 1)
		return true, err
	})
	if err != nil {
		return ts, fmt.Errorf("resolving the wireguard genetlink family: %w", err)
	}
	for n, i := range wg {
		seq := uint32(2 + n)
		err := nlRoundTrip(unix.NETLINK_GENERIC, appendWGGetDeviceReq(nil, seq, family, ts[i].Name), func(b []byte) (bool, error) {
			return decodeWGDevice(ts, b, seq, family)
		})
		var kerr inetDiagErrno
		if errors.As(err, &kerr) && unix.Errno(-kerr) == unix.EPERM {
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

// nlRoundTrip sends req on a fresh netlink socket of proto and hands every
// reply datagram to decode until it reports done. Tunnel lookups are rare
// (only for a socket no process owns), so a socket per call is fine.
func nlRoundTrip(proto int, req []byte, decode func([]byte) (bool, error)) error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return fmt.Errorf("opening netlink socket: %w", err)
	}
	defer unix.Close(fd)
	tv := unix.NsecToTimeval(int64(linuxDiagRecvTimeout))
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return fmt.Errorf("setting netlink timeout: %w", err)
	}
	if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("sending request: %w", err)
	}
	buf := make([]byte, 32<<10)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("reading reply: %w", err)
		}
		done, err := decode(buf[:n])
		if err != nil || done {
			return err
		}
	}
}
