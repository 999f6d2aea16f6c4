package wintable

import (
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	iphlpapi            = windows.NewLazySystemDLL("iphlpapi.dll")
	getExtendedTcpTable = iphlpapi.NewProc("GetExtendedTcpTable")
	getExtendedUdpTable = iphlpapi.NewProc("GetExtendedUdpTable")
	errInsufficientBuf  = syscall.Errno(windows.ERROR_INSUFFICIENT_BUFFER)
	tableMaxBytes       = 64 << 20 // far beyond any real table; stops a runaway retry loop
	tcpTableOwnerPIDAll = uintptr(5)
	udpTableOwnerPID    = uintptr(1)
	afInet, afInet6     = uintptr(windows.AF_INET), uintptr(windows.AF_INET6)
)

// Tables reads the owner-PID tables, keeping one buffer per layout for the
// next read. The zero value is ready to use; it is not safe for concurrent
// use.
type Tables struct {
	bufs [4][]byte
}

// Rows appends to dst the rows of kind's table whose local port is in ports
// (nil: every port), read now; see Decode.
func (t *Tables) Rows(kind Kind, ports map[uint16]bool, dst []Row) ([]Row, error) {
	buf, err := t.read(kind)
	if err != nil {
		return dst, err
	}
	return Decode(kind, buf, ports, dst)
}

// read fills t.bufs[kind] with one owner-PID table, growing the buffer while
// the OS answers ERROR_INSUFFICIENT_BUFFER (the table can grow between the
// size query and the read, hence a loop, not one retry).
func (t *Tables) read(kind Kind) ([]byte, error) {
	if kind < TCP4 || kind > UDP6 {
		return nil, fmt.Errorf("reading %v owner table: unknown layout", kind)
	}
	proc, af, class := getExtendedTcpTable, afInet, tcpTableOwnerPIDAll
	switch kind {
	case TCP6:
		af = afInet6
	case UDP4:
		proc, class = getExtendedUdpTable, udpTableOwnerPID
	case UDP6:
		proc, af, class = getExtendedUdpTable, afInet6, udpTableOwnerPID
	}
	buf := t.bufs[kind]
	if cap(buf) < 16<<10 {
		buf = make([]byte, 16<<10)
	}
	buf = buf[:cap(buf)]
	for {
		size := uint32(len(buf))
		r, _, _ := proc.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&size)), 0, af, class, 0)
		switch e := syscall.Errno(r); {
		case e == 0:
			t.bufs[kind] = buf
			return buf[:size], nil
		case e == errInsufficientBuf && int(size) <= tableMaxBytes:
			// Headroom for rows added before the next call.
			buf = make([]byte, int(size)+int(size)/4+1024)
		default:
			return nil, fmt.Errorf("reading %v owner table: %w", kind, e)
		}
	}
}
