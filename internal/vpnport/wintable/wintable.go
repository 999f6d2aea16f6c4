// Package wintable reads what Windows tells about sockets and the processes
// behind them, as its own records that vpnport converts: the iphlpapi
// owner-PID tables (GetExtendedTcpTable with TCP_TABLE_OWNER_PID_ALL,
// GetExtendedUdpTable with UDP_TABLE_OWNER_PID) as Rows, the system handle
// table (which processes have a device open, DeviceHolders) as PIDs, and
// process details as Process records. The decoders are OS-neutral, away
// from the system calls (the _windows files), so hand-built buffers test
// every byte on any OS.
package wintable

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
)

// Kind says which owner-PID table layout a buffer holds.
type Kind int

// The layouts.
const (
	TCP4 Kind = iota // MIB_TCPTABLE_OWNER_PID
	TCP6             // MIB_TCP6TABLE_OWNER_PID
	UDP4             // MIB_UDPTABLE_OWNER_PID
	UDP6             // MIB_UDP6TABLE_OWNER_PID
)

// rowSize is the size in bytes of one row of each layout. Every field is a
// DWORD or a byte array, so rows are packed with no padding and start right
// after the 4-byte dwNumEntries.
var rowSize = [...]int{
	TCP4: 24, // state, laddr, lport, raddr, rport, pid
	TCP6: 56, // laddr[16], lscope, lport, raddr[16], rscope, rport, state, pid
	UDP4: 12, // laddr, lport, pid
	UDP6: 28, // laddr[16], lscope, lport, pid
}

// RowSize is the size in bytes of one row of k's layout.
func (k Kind) RowSize() int { return rowSize[k] }

func (k Kind) String() string {
	switch k {
	case TCP4:
		return "tcp4"
	case TCP6:
		return "tcp6"
	case UDP4:
		return "udp4"
	case UDP6:
		return "udp6"
	}
	return "wintable.Kind(" + strconv.Itoa(int(k)) + ")"
}

// PIDIdle and PIDSystem are the two PIDs that are not a user process: rows
// of PID 0 are TIME_WAIT (or otherwise ownerless) connections, and PID 4 is
// the System process, i.e. a kernel driver such as HTTP.sys.
const (
	PIDIdle   = 0
	PIDSystem = 4
)

// StateListen is MIB_TCP_STATE_LISTEN: a listener's remote fields mean
// nothing.
const StateListen = 2

// ErrShort is returned when a table claims more rows than its buffer holds.
var ErrShort = errors.New("table shorter than its entry count")

// Row is one socket of a table.
type Row struct {
	TCP bool
	// State is the MIB_TCP_STATE value; 0 for UDP.
	State  uint32
	Local  netip.AddrPort
	Remote netip.AddrPort // zero for UDP and for TCP listeners
	PID    uint32
}

// port reads a port from a DWORD whose low 16 bits hold it in network byte
// order: in memory the first two bytes are the big-endian port.
func port(b []byte) uint16 { return binary.BigEndian.Uint16(b[:2]) }

func addr6(b []byte, scope uint32) netip.Addr {
	a := netip.AddrFrom16([16]byte(b[:16]))
	if scope != 0 && a.Is6() && (a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast()) {
		a = a.WithZone(strconv.FormatUint(uint64(scope), 10))
	}
	return a
}

// Decode appends to dst the rows of an owner-PID table whose local port is
// in ports (nil: every port). It checks the entry count against the buffer
// length before reading any row and returns an error for a truncated table
// rather than a partial answer.
func Decode(kind Kind, buf []byte, ports map[uint16]bool, dst []Row) ([]Row, error) {
	if kind < TCP4 || kind > UDP6 {
		return dst, fmt.Errorf("decoding %v table: unknown layout", kind)
	}
	if len(buf) < 4 {
		return dst, fmt.Errorf("decoding %v table: %d bytes, want at least 4", kind, len(buf))
	}
	le := binary.LittleEndian
	n := uint64(le.Uint32(buf))
	size := uint64(rowSize[kind])
	if n > uint64(len(buf)-4)/size {
		return dst, fmt.Errorf("decoding %v table of %d entries in %d bytes: %w", kind, n, len(buf), ErrShort)
	}
	for i := uint64(0); i < n; i++ {
		r := buf[4+i*size : 4+(i+1)*size]
		var row Row
		switch kind {
		case TCP4:
			row.TCP, row.State = true, le.Uint32(r[0:])
			row.Local = netip.AddrPortFrom(netip.AddrFrom4([4]byte(r[4:8])), port(r[8:]))
			if row.State != StateListen {
				row.Remote = netip.AddrPortFrom(netip.AddrFrom4([4]byte(r[12:16])), port(r[16:]))
			}
			row.PID = le.Uint32(r[20:])
		case TCP6:
			row.TCP, row.State = true, le.Uint32(r[48:])
			row.Local = netip.AddrPortFrom(addr6(r[0:], le.Uint32(r[16:])), port(r[20:]))
			if row.State != StateListen {
				row.Remote = netip.AddrPortFrom(addr6(r[24:], le.Uint32(r[40:])), port(r[44:]))
			}
			row.PID = le.Uint32(r[52:])
		case UDP4:
			row.Local = netip.AddrPortFrom(netip.AddrFrom4([4]byte(r[0:4])), port(r[4:]))
			row.PID = le.Uint32(r[8:])
		case UDP6:
			row.Local = netip.AddrPortFrom(addr6(r[0:], le.Uint32(r[16:])), port(r[20:]))
			row.PID = le.Uint32(r[24:])
		}
		if ports != nil && !ports[row.Local.Port()] {
			continue
		}
		dst = append(dst, row)
	}
	return dst, nil
}
