package taskfiles

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// BTF kinds (include/uapi/linux/btf.h) whose trailing data we must step over
// or read.
const (
	btfKindInt       = 1
	btfKindPtr       = 2
	btfKindArray     = 3
	btfKindStruct    = 4
	btfKindUnion     = 5
	btfKindEnum      = 6
	btfKindFwd       = 7
	btfKindTypedef   = 8
	btfKindVolatile  = 9
	btfKindConst     = 10
	btfKindRestrict  = 11
	btfKindFunc      = 12
	btfKindFuncProto = 13
	btfKindVar       = 14
	btfKindDatasec   = 15
	btfKindFloat     = 16
	btfKindDeclTag   = 17
	btfKindTypeTag   = 18
	btfKindEnum64    = 19

	btfMagic     = 0xeb9f
	btfHeaderLen = 24
)

// btfSpec is the little a BPF program of ours needs from the kernel's BTF:
// where a few types start, so their members' offsets and the iterator's
// function id can be looked up. Reading the whole type graph (as a general
// BTF library does) would cost tens of milliseconds on every `check`.
type btfSpec struct {
	big     bool     // the BTF is big-endian (as its kernel)
	types   []byte   // the type section
	strs    []byte   // the string section
	offsets []uint32 // offsets[id-1]: where type id starts in types
	next    int      // where the first type not yet in offsets starts
	found   []uint32 // the ids of the names parseBTF was asked for
}

// errBTF wraps every malformed-BTF error.
var errBTF = errors.New("malformed BTF")

// parseBTF indexes raw BTF (as /sys/kernel/btf/vmlinux holds it) as far as
// it must to find the types named in names (their ids in found, 0 for one
// not there): the rest is indexed only if a lookup reaches it. On this
// machine the structs come among the first thousand of 127,000 types and the
// iterator's FUNC at 64,000, so a third of the pass is spared. The data is
// kept, not copied: it may be a read-only mapping of that file.
func parseBTF(raw []byte, names ...btfName) (*btfSpec, error) {
	if len(raw) < btfHeaderLen {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the header", errBTF, len(raw))
	}
	s := &btfSpec{}
	switch {
	case binary.LittleEndian.Uint16(raw) == btfMagic:
	case binary.BigEndian.Uint16(raw) == btfMagic:
		s.big = true
	default:
		return nil, fmt.Errorf("%w: bad magic %#x", errBTF, raw[:2])
	}
	hdrLen := s.u32(raw[4:])
	typeOff, typeLen := s.u32(raw[8:]), s.u32(raw[12:])
	strOff, strLen := s.u32(raw[16:]), s.u32(raw[20:])
	body := uint64(len(raw)) - uint64(min(hdrLen, uint32(len(raw))))
	if hdrLen < btfHeaderLen || uint64(hdrLen) > uint64(len(raw)) ||
		uint64(typeOff)+uint64(typeLen) > body || uint64(strOff)+uint64(strLen) > body {
		return nil, fmt.Errorf("%w: sections out of bounds", errBTF)
	}
	s.types = raw[hdrLen+typeOff : hdrLen+typeOff+typeLen]
	s.strs = raw[hdrLen+strOff : hdrLen+strOff+strLen]
	// vmlinux has about 130,000 types; a guess of 12 bytes each spares
	// the slice's regrowth.
	s.offsets = make([]uint32, 0, len(s.types)/12)
	s.found = make([]uint32, len(names))
	if err := s.index(names, 0); err != nil {
		return nil, err
	}
	return s, nil
}

// index extends the index of type offsets until every name is found (with
// names) or type id upTo is indexed (without), or the types end.
func (s *btfSpec) index(names []btfName, upTo uint32) error {
	var kinds uint32 // the kinds of names, as a set
	left := 0
	for j, n := range names {
		kinds |= 1 << n.kind
		if s.found[j] == 0 {
			left++
		}
	}
	for off := s.next; off < len(s.types); {
		if len(names) > 0 && left == 0 || len(names) == 0 && uint32(len(s.offsets)) >= upTo {
			break
		}
		if len(s.types)-off < 12 {
			return fmt.Errorf("%w: type %d truncated", errBTF, len(s.offsets)+1)
		}
		info := s.u32(s.types[off+4:])
		kind := (info >> 24) & 0x1f
		if kinds&(1<<kind) != 0 {
			nameOff := s.u32(s.types[off:])
			for j, n := range names {
				if s.found[j] == 0 && n.kind == kind && s.is(nameOff, n.name) {
					s.found[j] = uint32(len(s.offsets) + 1)
					left--
				}
			}
		}
		n := int(trailerFixed[kind]) + int(trailerPerMember[kind])*int(info&0xffff)
		if trailerFixed[kind] == 0 && trailerPerMember[kind] == 0 && !noTrailer(kind) {
			return fmt.Errorf("%w: type %d: unknown kind %d", errBTF, len(s.offsets)+1, kind)
		}
		if off+12+n > len(s.types) {
			return fmt.Errorf("%w: type %d truncated", errBTF, len(s.offsets)+1)
		}
		s.offsets = append(s.offsets, uint32(off))
		off += 12 + n
		s.next = off
	}
	return nil
}

// typ returns type id's bytes (its common part and what follows), indexing
// further if id lies beyond what parseBTF needed; false if there is no such
// type (or the BTF breaks before it).
func (s *btfSpec) typ(id uint32) ([]byte, bool) {
	if id == 0 {
		return nil, false
	}
	if int(id) > len(s.offsets) && s.index(nil, id) != nil {
		return nil, false
	}
	if int(id) > len(s.offsets) {
		return nil, false
	}
	return s.types[s.offsets[id-1]:], true
}

// u32 reads a number in the BTF's byte order.
func (s *btfSpec) u32(b []byte) uint32 {
	if s.big {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

// The bytes that follow a type's 12-byte common part, by kind: a fixed
// part and a part per member (vlen).
var (
	trailerFixed = [32]uint8{
		btfKindInt: 4, btfKindVar: 4, btfKindDeclTag: 4, btfKindArray: 12,
	}
	trailerPerMember = [32]uint8{
		btfKindStruct: 12, btfKindUnion: 12, btfKindDatasec: 12, btfKindEnum64: 12,
		btfKindEnum: 8, btfKindFuncProto: 8,
	}
)

// noTrailer reports a known kind with nothing after its common part.
func noTrailer(kind uint32) bool {
	switch kind {
	case btfKindPtr, btfKindFwd, btfKindTypedef, btfKindVolatile, btfKindConst,
		btfKindRestrict, btfKindFunc, btfKindFloat, btfKindTypeTag:
		return true
	}
	return false
}

// is reports whether the string at off is name.
func (s *btfSpec) is(off uint32, name string) bool {
	end := uint64(off) + uint64(len(name))
	return end < uint64(len(s.strs)) && s.strs[end] == 0 && string(s.strs[off:end]) == name
}

// btfName is a type to look for: its kind and name.
type btfName struct {
	kind uint32
	name string
}

// resolve follows typedefs and qualifiers from id to the type they name.
func (s *btfSpec) resolve(id uint32) uint32 {
	for range 32 { // a loop in malformed BTF ends here
		t, ok := s.typ(id)
		if !ok {
			return 0
		}
		switch (s.u32(t[4:]) >> 24) & 0x1f {
		case btfKindTypedef, btfKindVolatile, btfKindConst, btfKindRestrict, btfKindTypeTag:
			id = s.u32(t[8:])
		default:
			return id
		}
	}
	return 0
}

// member is one field of a struct as the program needs it: where it starts
// and how many bytes a load of it takes.
type member struct {
	off, size uint32
}

// member finds field name in the struct or union id, looking into anonymous
// members (the kernel wraps many fields in unnamed unions), and returns its
// byte offset and size. Bitfields are refused: a program cannot load them
// with one instruction.
func (s *btfSpec) member(id uint32, name string) (member, bool) {
	budget := 4096 // members looked at: malformed BTF can nest a struct in itself
	return s.memberAt(id, name, 0, 0, &budget)
}

func (s *btfSpec) memberAt(id uint32, name string, base uint32, depth int, budget *int) (member, bool) {
	id = s.resolve(id)
	if id == 0 || depth > 8 || *budget <= 0 {
		return member{}, false
	}
	t, _ := s.typ(id)
	info := s.u32(t[4:])
	if kind := (info >> 24) & 0x1f; kind != btfKindStruct && kind != btfKindUnion {
		return member{}, false
	}
	bitfields := info>>31 != 0
	for i := range int(info & 0xffff) {
		if *budget--; *budget < 0 {
			return member{}, false
		}
		m := t[12+12*i:]
		nameOff, typ, off := s.u32(m), s.u32(m[4:]), s.u32(m[8:])
		bitOff := off
		if bitfields {
			if off>>24 != 0 {
				continue // a bitfield
			}
			bitOff = off & 0xffffff
		}
		if bitOff%8 != 0 {
			continue
		}
		at := base + bitOff/8
		if nameOff == 0 {
			if r, ok := s.memberAt(typ, name, at, depth+1, budget); ok {
				return r, true
			}
			continue
		}
		if s.is(nameOff, name) {
			size, ok := s.size(typ)
			return member{off: at, size: size}, ok
		}
	}
	return member{}, false
}

// size is the byte size of a scalar, enum or pointer type.
func (s *btfSpec) size(id uint32) (uint32, bool) {
	id = s.resolve(id)
	if id == 0 {
		return 0, false
	}
	t, _ := s.typ(id)
	switch (s.u32(t[4:]) >> 24) & 0x1f {
	case btfKindInt, btfKindEnum, btfKindEnum64:
		return s.u32(t[8:]), true
	case btfKindPtr:
		return 8, true
	}
	return 0, false
}
