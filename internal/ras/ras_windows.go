package ras

import (
	"encoding/binary"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	winRasapi               = windows.NewLazySystemDLL("rasapi32.dll")
	winRasEnumConnections   = winRasapi.NewProc("RasEnumConnectionsW")
	winRasGetConnectStatus  = winRasapi.NewProc("RasGetConnectStatusW")
	winRasEnumDevices       = winRasapi.NewProc("RasEnumDevicesW")
	winRasErrBufferTooSmall = uintptr(603)
	winRasMaxBytes          = 4 << 20
)

// winRasEnum calls a RasEnum* function that takes (array, &bytes, &count),
// with the first element's dwSize set, growing the buffer on 603.
func winRasEnum(proc *windows.LazyProc, elem int) ([]byte, int, error) {
	buf := make([]byte, 4*elem)
	for {
		binary.LittleEndian.PutUint32(buf, uint32(elem))
		size, n := uint32(len(buf)), uint32(0)
		r, _, _ := proc.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&size)), uintptr(unsafe.Pointer(&n)))
		switch {
		case r == 0:
			return buf, int(n), nil
		case r == winRasErrBufferTooSmall && int(size) > len(buf) && int(size) <= winRasMaxBytes:
			buf = make([]byte, size)
		default:
			return nil, 0, &Error{Func: proc.Name, Code: int(r)}
		}
	}
}

func rasConnections() ([]Conn, error) {
	if err := winRasapi.Load(); err != nil {
		return nil, nil // no RAS on this edition (Server Core, some N editions)
	}
	ptr := int(unsafe.Sizeof(uintptr(0)))
	buf, n, err := winRasEnum(winRasEnumConnections, rasConnSize(ptr))
	if err != nil {
		return nil, err
	}
	conns, err := rasDecodeConns(buf, n, ptr)
	if err != nil {
		return nil, err
	}
	st := make([]byte, rasConnStatusSize)
	for i := range conns {
		clear(st)
		binary.LittleEndian.PutUint32(st, rasConnStatusSize)
		r, _, _ := winRasGetConnectStatus.Call(conns[i].handle, uintptr(unsafe.Pointer(&st[0])))
		if r != 0 {
			// The connection went away between the two calls.
			conns[i].State = "Disconnected"
			continue
		}
		if err := rasDecodeStatus(st, &conns[i]); err != nil {
			return nil, err
		}
	}
	return conns, nil
}

func rasDevices() ([]Device, error) {
	if err := winRasapi.Load(); err != nil {
		return nil, nil
	}
	buf, n, err := winRasEnum(winRasEnumDevices, rasDevInfoSize)
	if err != nil {
		return nil, err
	}
	return rasDecodeDevices(buf, n)
}
