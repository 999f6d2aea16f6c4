package vpnport

// The sock_diag/inet_diag wire format (linux/inet_diag.h, linux/netlink.h),
// encoded and decoded here without an OS suffix so the fixtures captured from
// a real kernel are tested on every OS. Netlink headers and most inet_diag
// fields are in host byte order; ports and addresses are in network order.

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport/netlink"
)

// nlEndian is the host byte order netlink uses (see netlink.Endian).
var nlEndian = netlink.Endian

const (
	nlmsgHdrLen     = netlink.HdrLen
	nlmsgError      = netlink.TypeError
	nlmsgDone       = netlink.TypeDone
	nlmFRequest     = netlink.FRequest
	nlmFDump        = netlink.FDump
	sockDiagByFam   = 20 // SOCK_DIAG_BY_FAMILY
	inetDiagReqLen  = 56 // struct inet_diag_req_v2
	inetDiagMsgLen  = 72 // struct inet_diag_msg
	inetDiagBCAttr  = 1  // INET_DIAG_REQ_BYTECODE
	inetDiagBCSGE   = 2  // INET_DIAG_BC_S_GE
	inetDiagBCSLE   = 3  // INET_DIAG_BC_S_LE
	inetDiagReqSize = nlmsgHdrLen + inetDiagReqLen + 4 + 16
	tcpDiagGetSock  = 18                        // TCPDIAG_GETSOCK, the request before sock_diag
	tcpDiagReqSize  = nlmsgHdrLen + 60 + 4 + 16 // struct inet_diag_req, filter

	afInet      = 2
	afInet6     = 10
	ipprotoTCP  = 6
	ipprotoUDP  = 17
	tcpTimeWait = 6
)

// tcpStateNames maps the kernel's TCP states (include/net/tcp_states.h) to
// State. UDP uses the same numbers: 7 (CLOSE) is a bound unconnected socket,
// which ss calls UNCONN, and 1 is a connected one.
var tcpStateNames = [...]State{
	1:  StateEstablished,
	2:  "SYN_SENT",
	3:  "SYN_RECV",
	4:  "FIN_WAIT1",
	5:  "FIN_WAIT2",
	6:  StateTimeWait,
	7:  StateUnconn,
	8:  "CLOSE_WAIT",
	9:  "LAST_ACK",
	10: StateListen,
	11: "CLOSING",
	12: "NEW_SYN_RECV",
}

func inetStateName(s uint8) State {
	if int(s) < len(tcpStateNames) && tcpStateNames[s] != "" {
		return tcpStateNames[s]
	}
	return State(fmt.Sprintf("STATE_%d", s))
}

// appendInetDiagReq appends one SOCK_DIAG_BY_FAMILY dump request for every
// socket, in every state, of family/proto whose local port is port.
//
// The filter is the bytecode ss builds for `sport >= :N and sport <= :N`
// (S_GE then S_LE), which every kernel since 2.6 accepts; INET_DIAG_BC_S_EQ
// would save one comparison per socket but needs Linux 4.16.
// The kernel runs it for each socket, so only that port's sockets come back.
// Each op's "no" offset jumps 4 bytes past the end of the program: reject.
func appendInetDiagReq(b []byte, seq uint32, family, proto uint8, port uint16) []byte {
	return appendInetDiagReqStates(b, seq, family, proto, inetDiagAllStates, port)
}

// inetDiagAllStates asks for sockets in every state; inetDiagListenOnly
// (1 << TCP_LISTEN) for TCP listeners alone, which the kernel finds in its
// listening hash without walking the established and bind tables.
const (
	inetDiagAllStates  = 0xffffffff
	inetDiagListenOnly = 1 << 10
)

// appendInetDiagReqStates is appendInetDiagReq for the states in the
// bitmask states (bit n: kernel TCP state n).
func appendInetDiagReqStates(b []byte, seq uint32, family, proto uint8, states uint32, port uint16) []byte {
	b = nlEndian.AppendUint32(b, inetDiagReqSize)
	b = nlEndian.AppendUint16(b, sockDiagByFam)
	b = nlEndian.AppendUint16(b, nlmFRequest|nlmFDump)
	b = nlEndian.AppendUint32(b, seq)
	b = nlEndian.AppendUint32(b, 0) // nlmsg_pid: the kernel
	// inet_diag_req_v2: family, protocol, ext, pad, states, then a zero sockid.
	b = append(b, family, proto, 0, 0)
	b = nlEndian.AppendUint32(b, states)
	b = append(b, make([]byte, inetDiagReqLen-8)...)
	return appendPortFilter(b, port)
}

// appendPortFilter appends the rtattr INET_DIAG_REQ_BYTECODE with two ops,
// each followed by the port-carrying pseudo-op.
func appendPortFilter(b []byte, port uint16) []byte {
	b = nlEndian.AppendUint16(b, 4+16)
	b = nlEndian.AppendUint16(b, inetDiagBCAttr)
	b = append(b, inetDiagBCSGE, 8)
	b = nlEndian.AppendUint16(b, 16+4)
	b = append(b, 0, 0)
	b = nlEndian.AppendUint16(b, port)
	b = append(b, inetDiagBCSLE, 8)
	b = nlEndian.AppendUint16(b, 8+4)
	b = append(b, 0, 0)
	b = nlEndian.AppendUint16(b, port)
	return b
}

// appendTCPDiagReq appends the older TCPDIAG_GETSOCK dump request for the
// TCP sockets in states whose local port is port, in both address families
// at once: the kernel answers it with one walk of its established hash,
// where SOCK_DIAG_BY_FAMILY walks it once per family (on a machine with
// many buckets the walk is most of a dump's cost). Same filter, same
// replies (typed TCPDIAG_GETSOCK); Linux 2.6.14 and later.
func appendTCPDiagReq(b []byte, seq uint32, states uint32, port uint16) []byte {
	b = nlEndian.AppendUint32(b, tcpDiagReqSize)
	b = nlEndian.AppendUint16(b, tcpDiagGetSock)
	b = nlEndian.AppendUint16(b, nlmFRequest|nlmFDump)
	b = nlEndian.AppendUint32(b, seq)
	b = nlEndian.AppendUint32(b, 0)
	// inet_diag_req: family (ignored by a dump), src_len, dst_len, ext,
	// a zero sockid, states, dbs.
	b = append(b, afInet, 0, 0, 0)
	b = append(b, make([]byte, 48)...)
	b = nlEndian.AppendUint32(b, states)
	b = nlEndian.AppendUint32(b, 0)
	return appendPortFilter(b, port)
}

// decodeInetDiag decodes one datagram of a sock_diag dump, appending a Socket
// to dst for each inet_diag_msg whose sequence number is seq (messages of an
// earlier, abandoned dump are skipped). done is true once the dump ended.
// A kernel error comes back as a netlink.Errno.
func decodeInetDiag(dst []Socket, b []byte, seq uint32, proto Kind) (_ []Socket, done bool, err error) {
	done, err = netlink.Messages(b, seq, func(typ uint16, body []byte) error {
		if typ != sockDiagByFam && typ != tcpDiagGetSock {
			return nil
		}
		if len(body) < inetDiagMsgLen {
			return netlink.ErrTruncated
		}
		dst = append(dst, decodeInetDiagMsg(body, proto))
		return nil
	})
	return dst, done, err
}

// decodeInetDiagMsg decodes a struct inet_diag_msg of at least
// inetDiagMsgLen bytes.
func decodeInetDiagMsg(m []byte, proto Kind) Socket {
	family, state := m[0], m[1]
	// idiag_sockid at 4: sport, dport (big-endian), src[16], dst[16], if, cookie.
	sport := binary.BigEndian.Uint16(m[4:6])
	dport := binary.BigEndian.Uint16(m[6:8])
	var src, dst netip.Addr
	if family == afInet {
		src = netip.AddrFrom4([4]byte(m[8:12]))
		dst = netip.AddrFrom4([4]byte(m[24:28]))
	} else {
		src = netip.AddrFrom16([16]byte(m[8:24]))
		dst = netip.AddrFrom16([16]byte(m[24:40]))
	}
	expires := nlEndian.Uint32(m[52:56])
	s := Socket{
		Proto: proto,
		State: inetStateName(state),
		Local: netip.AddrPortFrom(src, sport),
		UID:   nlEndian.Uint32(m[64:68]),
		Inode: uint64(nlEndian.Uint32(m[68:72])),
	}
	if dport != 0 || !dst.IsUnspecified() {
		s.Remote = netip.AddrPortFrom(dst, dport)
	}
	// idiag_expires is in milliseconds for every timer; only the TIME_WAIT
	// one matters to users (how long until the port is free).
	if state == tcpTimeWait && proto == TCP {
		s.TimerLeft = time.Duration(expires) * time.Millisecond
	}
	return s
}
