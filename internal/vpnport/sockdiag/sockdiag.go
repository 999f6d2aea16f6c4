// Package sockdiag asks the kernel for the sockets on one local port
// through sock_diag (linux/inet_diag.h) and returns them as the kernel
// describes them: Entry, raw numbers and addresses; naming states and
// deciding what a socket means is the caller's job. The request builders
// and the decoder have no OS suffix so the fixtures captured from a real
// kernel are tested on every OS; Dumper, which asks, lives in dump_linux.go.
package sockdiag

import (
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport/netlink"
)

// Wire numbers. Netlink headers and most inet_diag fields are in host byte
// order; ports and addresses are in network order.
const (
	sockDiagByFam   = 20 // SOCK_DIAG_BY_FAMILY
	tcpDiagGetSock  = 18 // TCPDIAG_GETSOCK, the request before sock_diag
	reqV2Len        = 56 // struct inet_diag_req_v2
	msgLen          = 72 // struct inet_diag_msg
	bcAttr          = 1  // INET_DIAG_REQ_BYTECODE
	bcSGE           = 2  // INET_DIAG_BC_S_GE
	bcSLE           = 3  // INET_DIAG_BC_S_LE
	filterLen       = 4 + 16
	reqV2Size       = netlink.HdrLen + reqV2Len + filterLen
	compatReqLen    = 60 // struct inet_diag_req
	compatReqSize   = netlink.HdrLen + compatReqLen + filterLen
	stateTimeWait   = 6
	stateListenBit  = 1 << 10
	everyStateMask  = 0xffffffff
	familyIPv4      = 2
	familyIPv6      = 10
	protoTCP        = 6
	protoUDP        = 17
	minEntryMsgSize = netlink.HdrLen + msgLen
)

// Address families and protocols, as the kernel numbers them.
const (
	AFInet  uint8 = familyIPv4
	AFInet6 uint8 = familyIPv6
	TCP     uint8 = protoTCP
	UDP     uint8 = protoUDP
)

// States asked for: AllStates, or ListenOnly (1 << TCP_LISTEN) for TCP
// listeners alone, which the kernel finds in its listening hash without
// walking the established and bind tables.
const (
	AllStates  uint32 = everyStateMask
	ListenOnly uint32 = stateListenBit
)

// StateTimeWait is the kernel's TCP_TIME_WAIT.
const StateTimeWait uint8 = stateTimeWait

// Entry is one socket as inet_diag_msg describes it.
type Entry struct {
	Family uint8
	// State is the kernel's TCP state number (include/net/tcp_states.h);
	// UDP uses the same numbers (7, CLOSE, for a bound unconnected socket).
	State  uint8
	Local  netip.AddrPort
	Remote netip.AddrPort // zero when unconnected
	UID    uint32
	Inode  uint64 // 0 for TIME_WAIT and kernel sockets
	// Expires is the socket's running timer (idiag_expires).
	Expires time.Duration
}

// AppendRequest appends one SOCK_DIAG_BY_FAMILY dump request for the
// sockets of family and proto in states whose local port is port.
//
// The filter is the bytecode ss builds for `sport >= :N and sport <= :N`
// (S_GE then S_LE), which every kernel since 2.6 accepts; INET_DIAG_BC_S_EQ
// would save one comparison per socket but needs Linux 4.16.
// The kernel runs it for each socket, so only that port's sockets come back.
// Each op's "no" offset jumps 4 bytes past the end of the program: reject.
func AppendRequest(b []byte, seq uint32, family, proto uint8, states uint32, port uint16) []byte {
	b = netlink.AppendHeader(b, reqV2Len+filterLen, sockDiagByFam, netlink.FRequest|netlink.FDump, seq)
	// inet_diag_req_v2: family, protocol, ext, pad, states, then a zero sockid.
	b = append(b, family, proto, 0, 0)
	b = netlink.Endian.AppendUint32(b, states)
	b = append(b, make([]byte, reqV2Len-8)...)
	return appendPortFilter(b, port)
}

// AppendCompatRequest appends the older TCPDIAG_GETSOCK dump request for
// the TCP sockets in states whose local port is port, in both address
// families at once: the kernel answers it with one walk of its established
// hash, where SOCK_DIAG_BY_FAMILY walks it once per family (on a machine
// with many buckets the walk is most of a dump's cost). Same filter, same
// replies (typed TCPDIAG_GETSOCK); Linux 2.6.14 and later.
func AppendCompatRequest(b []byte, seq uint32, states uint32, port uint16) []byte {
	b = netlink.AppendHeader(b, compatReqLen+filterLen, tcpDiagGetSock, netlink.FRequest|netlink.FDump, seq)
	// inet_diag_req: family (ignored by a dump), src_len, dst_len, ext,
	// a zero sockid, states, dbs.
	b = append(b, familyIPv4, 0, 0, 0)
	b = append(b, make([]byte, 48)...)
	b = netlink.Endian.AppendUint32(b, states)
	b = netlink.Endian.AppendUint32(b, 0)
	return appendPortFilter(b, port)
}

// appendPortFilter appends the rtattr INET_DIAG_REQ_BYTECODE with two ops,
// each followed by the port-carrying pseudo-op.
func appendPortFilter(b []byte, port uint16) []byte {
	b = netlink.Endian.AppendUint16(b, filterLen)
	b = netlink.Endian.AppendUint16(b, bcAttr)
	b = append(b, bcSGE, 8)
	b = netlink.Endian.AppendUint16(b, 16+4)
	b = append(b, 0, 0)
	b = netlink.Endian.AppendUint16(b, port)
	b = append(b, bcSLE, 8)
	b = netlink.Endian.AppendUint16(b, 8+4)
	b = append(b, 0, 0)
	b = netlink.Endian.AppendUint16(b, port)
	return b
}

// Decode decodes one datagram of a dump, appending an Entry to dst for each
// inet_diag_msg whose sequence number is seq (messages of an earlier,
// abandoned dump are skipped). done is true once the dump ended. A kernel
// error comes back as a netlink.Errno.
func Decode(dst []Entry, b []byte, seq uint32) (_ []Entry, done bool, err error) {
	done, err = netlink.Messages(b, seq, func(typ uint16, body []byte) error {
		if typ != sockDiagByFam && typ != tcpDiagGetSock {
			return nil
		}
		if len(body) < msgLen {
			return netlink.ErrTruncated
		}
		dst = append(dst, decodeMsg(body))
		return nil
	})
	return dst, done, err
}

// decodeMsg decodes a struct inet_diag_msg of at least msgLen bytes.
func decodeMsg(m []byte) Entry {
	family, state := m[0], m[1]
	// idiag_sockid at 4: sport, dport (big-endian), src[16], dst[16], if, cookie.
	sport := binary.BigEndian.Uint16(m[4:6])
	dport := binary.BigEndian.Uint16(m[6:8])
	var src, dst netip.Addr
	if family == familyIPv4 {
		src = netip.AddrFrom4([4]byte(m[8:12]))
		dst = netip.AddrFrom4([4]byte(m[24:28]))
	} else {
		src = netip.AddrFrom16([16]byte(m[8:24]))
		dst = netip.AddrFrom16([16]byte(m[24:40]))
	}
	e := Entry{
		Family: family,
		State:  state,
		Local:  netip.AddrPortFrom(src, sport),
		UID:    netlink.Endian.Uint32(m[64:68]),
		Inode:  uint64(netlink.Endian.Uint32(m[68:72])),
		// idiag_expires is in milliseconds for every timer.
		Expires: time.Duration(netlink.Endian.Uint32(m[52:56])) * time.Millisecond,
	}
	if dport != 0 || !dst.IsUnspecified() {
		e.Remote = netip.AddrPortFrom(dst, dport)
	}
	return e
}
