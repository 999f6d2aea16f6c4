// Package netlink frames netlink messages (linux/netlink.h) for the
// kernel interfaces vpnport asks: sock_diag, rtnetlink and generic netlink.
// The framing has no OS suffix so decoders built on it, and their fixtures
// captured from a real kernel, are tested on every OS; the connection that
// exchanges them lives in conn_linux.go.
package netlink

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Endian is the host byte order netlink headers and most payloads use.
// Fixtures captured on amd64 and arm64 are little-endian, like every Linux
// desktop traycheck targets.
var Endian = binary.NativeEndian

// Header layout and the message types and flags every family shares.
const (
	HdrLen    = 16 // struct nlmsghdr
	TypeError = 2  // NLMSG_ERROR: an error, or with errno 0 an ACK
	TypeDone  = 3  // NLMSG_DONE: the end of a dump
	FRequest  = 0x1
	FMulti    = 0x2
	FDump     = 0x300
)

// ErrTruncated reports a message or attribute whose length fields do not fit.
var ErrTruncated = errors.New("netlink: truncated message")

// Errno is the negative errno the kernel answered a request with.
type Errno int32

func (e Errno) Error() string { return fmt.Sprintf("netlink: kernel error %d", -int32(e)) }

// Code is the positive errno number (22 for EINVAL), to compare with the
// OS's errno constants.
func (e Errno) Code() int { return int(-e) }

// Messages calls fn with the type and body of every message in the
// datagram b whose sequence number is seq; messages of another request (an
// earlier, abandoned one) are skipped. done is true once the request has
// ended: NLMSG_DONE closes a dump, and an ACK closes a request that was
// not one (the kernel acks a dump only when asked, which no request here
// does). A kernel error, in NLMSG_ERROR or in the body of NLMSG_DONE,
// comes back as an Errno; an error fn returns stops the walk and comes
// back as is, with done false.
func Messages(b []byte, seq uint32, fn func(typ uint16, body []byte) error) (done bool, err error) {
	for len(b) >= HdrLen {
		n := Endian.Uint32(b[0:4])
		typ := Endian.Uint16(b[4:6])
		mseq := Endian.Uint32(b[8:12])
		if n < HdrLen || uint64(n) > uint64(len(b)) {
			return false, ErrTruncated
		}
		body := b[HdrLen:n]
		// Messages are padded to 4 bytes (NLMSG_ALIGN).
		b = b[min((uint64(n)+3)&^3, uint64(len(b))):]
		if mseq != seq {
			continue
		}
		switch typ {
		case TypeDone:
			if len(body) >= 4 {
				if e := int32(Endian.Uint32(body)); e < 0 {
					return true, Errno(e)
				}
			}
			return true, nil
		case TypeError:
			if len(body) < 4 {
				return true, ErrTruncated
			}
			if e := int32(Endian.Uint32(body)); e < 0 {
				return true, Errno(e)
			}
			return true, nil // an ACK
		}
		if err := fn(typ, body); err != nil {
			return false, err
		}
	}
	return false, nil
}

// Attrs calls fn for each attribute in b (its type without the nested and
// byte-order flags, its payload) until fn returns false or b ends; a
// truncated attribute ends it.
func Attrs(b []byte, fn func(typ uint16, v []byte) bool) {
	for len(b) >= 4 {
		n := int(Endian.Uint16(b[0:2]))
		if n < 4 || n > len(b) {
			return
		}
		if !fn(Endian.Uint16(b[2:4])&attrTypeMask, b[4:n]) {
			return
		}
		b = b[min((n+3)&^3, len(b)):]
	}
}

// attrTypeMask drops NLA_F_NESTED and NLA_F_NET_BYTEORDER.
const attrTypeMask = 0x3fff

// String is a NUL-terminated string attribute's text.
func String(v []byte) string {
	for i, c := range v {
		if c == 0 {
			return string(v[:i])
		}
	}
	return string(v)
}

// AppendHeader appends a header for a message of bodyLen bytes to b.
func AppendHeader(b []byte, bodyLen int, typ, flags uint16, seq uint32) []byte {
	b = Endian.AppendUint32(b, uint32(HdrLen+bodyLen))
	b = Endian.AppendUint16(b, typ)
	b = Endian.AppendUint16(b, flags)
	b = Endian.AppendUint32(b, seq)
	return Endian.AppendUint32(b, 0) // nlmsg_pid: the kernel
}

// AppendStringAttr appends an attribute holding s and its NUL, padded.
func AppendStringAttr(b []byte, typ uint16, s string) []byte {
	n := 4 + len(s) + 1
	b = Endian.AppendUint16(b, uint16(n))
	b = Endian.AppendUint16(b, typ)
	b = append(b, s...)
	b = append(b, 0)
	return append(b, make([]byte, (n+3)&^3-n)...)
}
