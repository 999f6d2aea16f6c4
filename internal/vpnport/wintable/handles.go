package wintable

import (
	"encoding/binary"
	"fmt"
	"unicode/utf16"
)

// handle is one row of the system handle table
// (SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX), as NtQuerySystemInformation with
// SystemExtendedHandleInformation (64) returns it.
type handle struct {
	Object    uint64
	PID       uint64
	Handle    uint64
	Access    uint32
	TypeIndex uint16
}

// handleLayout gives the header and row size for a pointer size: the
// header is NumberOfHandles and Reserved (two ULONG_PTRs); a row is Object,
// UniqueProcessId, HandleValue (three pointer-sized fields), then
// GrantedAccess (ULONG), CreatorBackTraceIndex and ObjectTypeIndex (USHORTs),
// HandleAttributes and Reserved (ULONGs).
func handleLayout(ptr int) (header, row int) {
	return 2 * ptr, 3*ptr + 4 + 2 + 2 + 4 + 4
}

// eachHandle calls fn for each row of a SYSTEM_HANDLE_INFORMATION_EX
// buffer, stopping early when fn returns false. The table of a busy machine
// has hundreds of thousands of rows, so rows are passed by value and never
// collected.
func eachHandle(buf []byte, ptr int, fn func(handle) bool) error {
	if ptr != 4 && ptr != 8 {
		return fmt.Errorf("decoding handle table: pointer size %d", ptr)
	}
	header, row := handleLayout(ptr)
	if len(buf) < header {
		return fmt.Errorf("decoding handle table: %d bytes, want at least %d", len(buf), header)
	}
	word := func(b []byte) uint64 {
		if ptr == 8 {
			return binary.LittleEndian.Uint64(b)
		}
		return uint64(binary.LittleEndian.Uint32(b))
	}
	n := word(buf)
	if n > uint64(len(buf)-header)/uint64(row) {
		return fmt.Errorf("decoding handle table of %d entries in %d bytes: %w", n, len(buf), ErrShort)
	}
	for i := uint64(0); i < n; i++ {
		r := buf[uint64(header)+i*uint64(row):]
		h := handle{
			Object: word(r),
			PID:    word(r[ptr:]),
			Handle: word(r[2*ptr:]),
			Access: binary.LittleEndian.Uint32(r[3*ptr:]),
		}
		h.TypeIndex = binary.LittleEndian.Uint16(r[3*ptr+6:])
		if !fn(h) {
			break
		}
	}
	return nil
}

// fileTypeIndex finds the object type index of File objects: it differs
// between Windows builds, so the probe opens a file itself and looks up its
// own handle in the table. ok is false when that handle is not in the table.
func fileTypeIndex(buf []byte, ptr int, ownPID, ownHandle uint64) (idx uint16, ok bool, err error) {
	err = eachHandle(buf, ptr, func(h handle) bool {
		if h.PID == ownPID && h.Handle == ownHandle {
			idx, ok = h.TypeIndex, true
			return false
		}
		return true
	})
	return idx, ok, err
}

// hangAccess are GrantedAccess masks of handles whose name query can
// block forever (synchronous named pipes waiting for I/O); they are never
// serial devices, so the probe skips them instead of spending a timeout on
// each.
var hangAccess = map[uint32]bool{0x0012019f: true, 0x001a019f: true, 0x00120189: true, 0x00100000: true}

// decodeObjectName decodes the OBJECT_NAME_INFORMATION that
// NtQueryObject(ObjectNameInformation) writes to buf, which the caller
// allocated at address base: a UNICODE_STRING (Length, MaximumLength,
// padding, Buffer pointer) whose Buffer points into buf itself. A pointer
// outside buf is an error, not a read.
func decodeObjectName(buf []byte, base uint64, ptr int) (string, error) {
	if ptr != 4 && ptr != 8 {
		return "", fmt.Errorf("decoding object name: pointer size %d", ptr)
	}
	if len(buf) < 2*ptr {
		return "", fmt.Errorf("decoding object name: %d bytes", len(buf))
	}
	n := uint64(binary.LittleEndian.Uint16(buf))
	var p uint64
	if ptr == 8 {
		p = binary.LittleEndian.Uint64(buf[8:])
	} else {
		p = uint64(binary.LittleEndian.Uint32(buf[4:]))
	}
	if n == 0 {
		return "", nil
	}
	if n%2 != 0 || p < base || p-base > uint64(len(buf)) || n > uint64(len(buf))-(p-base) {
		return "", fmt.Errorf("decoding object name: %d bytes at %#x outside the %d-byte buffer at %#x", n, p, len(buf), base)
	}
	s := buf[p-base : p-base+n]
	u := make([]uint16, n/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(s[2*i:])
	}
	return string(utf16.Decode(u)), nil
}
