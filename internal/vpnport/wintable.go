package vpnport

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
)

// winTableKind says which iphlpapi owner-PID table layout a buffer holds. The
// buffers come from GetExtendedTcpTable(TCP_TABLE_OWNER_PID_ALL) and
// GetExtendedUdpTable(UDP_TABLE_OWNER_PID); decoding them here, away from the
// syscall, lets hand-built buffers test every byte on any OS.
type winTableKind int

const (
	winTCP4 winTableKind = iota // MIB_TCPTABLE_OWNER_PID
	winTCP6                     // MIB_TCP6TABLE_OWNER_PID
	winUDP4                     // MIB_UDPTABLE_OWNER_PID
	winUDP6                     // MIB_UDP6TABLE_OWNER_PID
)

// winRowSize is the size in bytes of one row of each layout. Every field is a
// DWORD or a byte array, so rows are packed with no padding and start right
// after the 4-byte dwNumEntries.
var winRowSize = [...]int{
	winTCP4: 24, // state, laddr, lport, raddr, rport, pid
	winTCP6: 56, // laddr[16], lscope, lport, raddr[16], rscope, rport, state, pid
	winUDP4: 12, // laddr, lport, pid
	winUDP6: 28, // laddr[16], lscope, lport, pid
}

func (k winTableKind) String() string {
	switch k {
	case winTCP4:
		return "tcp4"
	case winTCP6:
		return "tcp6"
	case winUDP4:
		return "udp4"
	case winUDP6:
		return "udp6"
	}
	return "winTableKind(" + strconv.Itoa(int(k)) + ")"
}

// winPIDIdle and winPIDSystem are the two PIDs that are not a user process:
// rows of PID 0 are TIME_WAIT (or otherwise ownerless) connections, and PID 4
// is the System process, i.e. a kernel driver such as HTTP.sys.
const (
	winPIDIdle   = 0
	winPIDSystem = 4
)

// KernelPortHint is what to tell a user whose port is held by the Windows
// kernel (PID 4): almost always HTTP.sys on behalf of a service that
// registered a URL reservation, which this command names.
const KernelPortHint = "the port is held by the Windows kernel (HTTP.sys, PID 4); " +
	"run `netsh http show servicestate` to see which service registered it"

// errWinTableShort is returned when a table claims more rows than its buffer
// holds: the table is truncated, so none of it is trusted.
var errWinTableShort = errors.New("table shorter than its entry count")

// winTCPStates maps MIB_TCP_STATE values to the kernel names Linux uses, so
// diagnose sees one vocabulary on every OS.
var winTCPStates = [...]State{
	1:  "CLOSE",
	2:  StateListen,
	3:  "SYN_SENT",
	4:  "SYN_RECV",
	5:  StateEstablished,
	6:  "FIN_WAIT1",
	7:  "FIN_WAIT2",
	8:  "CLOSE_WAIT",
	9:  "CLOSING",
	10: "LAST_ACK",
	11: StateTimeWait,
	12: "DELETE_TCB",
}

func winTCPState(v uint32) State {
	if v < uint32(len(winTCPStates)) && winTCPStates[v] != "" {
		return winTCPStates[v]
	}
	return State("STATE_" + strconv.FormatUint(uint64(v), 10))
}

// winPort reads a port from a DWORD whose low 16 bits hold it in network
// byte order: in memory the first two bytes are the big-endian port.
func winPort(b []byte) uint16 { return binary.BigEndian.Uint16(b[:2]) }

func winAddr6(b []byte, scope uint32) netip.Addr {
	a := netip.AddrFrom16([16]byte(b[:16]))
	if scope != 0 && a.Is6() && (a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast()) {
		a = a.WithZone(strconv.FormatUint(uint64(scope), 10))
	}
	return a
}

// winDecodeTable appends to dst the sockets of an owner-PID table whose local
// port is in ports (nil: every port). It checks the entry count against the
// buffer length before reading any row and returns an error for a truncated
// table rather than a partial answer.
func winDecodeTable(kind winTableKind, buf []byte, ports map[uint16]bool, dst []Socket) ([]Socket, error) {
	if kind < winTCP4 || kind > winUDP6 {
		return dst, fmt.Errorf("decoding %v table: unknown layout", kind)
	}
	if len(buf) < 4 {
		return dst, fmt.Errorf("decoding %v table: %d bytes, want at least 4", kind, len(buf))
	}
	le := binary.LittleEndian
	n := uint64(le.Uint32(buf))
	size := uint64(winRowSize[kind])
	if n > uint64(len(buf)-4)/size {
		return dst, fmt.Errorf("decoding %v table of %d entries in %d bytes: %w", kind, n, len(buf), errWinTableShort)
	}
	for i := uint64(0); i < n; i++ {
		r := buf[4+i*size : 4+(i+1)*size]
		var s Socket
		var pid uint32
		switch kind {
		case winTCP4:
			s.Proto, s.State = TCP, winTCPState(le.Uint32(r[0:]))
			s.Local = netip.AddrPortFrom(netip.AddrFrom4([4]byte(r[4:8])), winPort(r[8:]))
			if s.State != StateListen {
				s.Remote = netip.AddrPortFrom(netip.AddrFrom4([4]byte(r[12:16])), winPort(r[16:]))
			}
			pid = le.Uint32(r[20:])
		case winTCP6:
			s.Proto, s.State = TCP, winTCPState(le.Uint32(r[48:]))
			s.Local = netip.AddrPortFrom(winAddr6(r[0:], le.Uint32(r[16:])), winPort(r[20:]))
			if s.State != StateListen {
				s.Remote = netip.AddrPortFrom(winAddr6(r[24:], le.Uint32(r[40:])), winPort(r[44:]))
			}
			pid = le.Uint32(r[52:])
		case winUDP4:
			s.Proto, s.State = UDP, StateUnconn
			s.Local = netip.AddrPortFrom(netip.AddrFrom4([4]byte(r[0:4])), winPort(r[4:]))
			pid = le.Uint32(r[8:])
		case winUDP6:
			s.Proto, s.State = UDP, StateUnconn
			s.Local = netip.AddrPortFrom(winAddr6(r[0:], le.Uint32(r[16:])), winPort(r[20:]))
			pid = le.Uint32(r[24:])
		}
		if ports != nil && !ports[s.Local.Port()] {
			continue
		}
		if pid != winPIDIdle {
			s.PIDs = []int{int(pid)}
		}
		dst = append(dst, s)
	}
	return dst, nil
}
