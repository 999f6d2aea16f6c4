package taskfiles

import (
	"encoding/binary"
	"errors"
	"testing"
)

// btfBuilder writes BTF the way the kernel lays it out, for fixtures that
// run on every OS.
type btfBuilder struct {
	types []byte
	strs  []byte
	n     uint32
}

func newBTF() *btfBuilder { return &btfBuilder{strs: []byte{0}} }

func (b *btfBuilder) str(s string) uint32 {
	if s == "" {
		return 0
	}
	off := uint32(len(b.strs))
	b.strs = append(append(b.strs, s...), 0)
	return off
}

func (b *btfBuilder) typ(name string, kind, vlen uint32, kflag bool, sizeOrType uint32, trailer ...uint32) uint32 {
	info := kind<<24 | vlen
	if kflag {
		info |= 1 << 31
	}
	for _, v := range []uint32{b.str(name), info, sizeOrType} {
		b.types = binary.LittleEndian.AppendUint32(b.types, v)
	}
	for _, v := range trailer {
		b.types = binary.LittleEndian.AppendUint32(b.types, v)
	}
	b.n++
	return b.n
}

// memb is a struct member: name, type, bit offset.
type memb struct {
	name string
	typ  uint32
	bits uint32
}

func (b *btfBuilder) strct(name string, size uint32, kflag bool, ms ...memb) uint32 {
	var tr []uint32
	for _, m := range ms {
		tr = append(tr, b.str(m.name), m.typ, m.bits)
	}
	return b.typ(name, btfKindStruct, uint32(len(ms)), kflag, size, tr...)
}

func (b *btfBuilder) bytes() []byte {
	h := binary.LittleEndian.AppendUint16(nil, btfMagic)
	h = append(h, 1, 0)
	for _, v := range []uint32{btfHeaderLen, 0, uint32(len(b.types)), uint32(len(b.types)), uint32(len(b.strs))} {
		h = binary.LittleEndian.AppendUint32(h, v)
	}
	return append(append(h, b.types...), b.strs...)
}

// kernelLike builds a kernel-shaped fixture: typedef chains, a field behind
// an anonymous union, a bitfield before it, strings that end in the names
// looked for ("vm_file"), and the iterator's FUNC.
func kernelLike() []byte {
	b := newBTF()
	u16 := b.typ("unsigned short", btfKindInt, 0, false, 2, 16)
	u32 := b.typ("unsigned int", btfKindInt, 0, false, 4, 32)
	i32 := b.typ("int", btfKindInt, 0, false, 4, 1<<24|32)
	ul := b.typ("long unsigned int", btfKindInt, 0, false, 8, 64)
	umode := b.typ("umode_t", btfKindTypedef, 0, false, u16)
	kdev := b.typ("__kernel_dev_t", btfKindTypedef, 0, false, u32)
	dev := b.typ("dev_t", btfKindTypedef, 0, false, kdev)
	pid := b.typ("pid_t", btfKindTypedef, 0, false, i32)
	cpid := b.typ("", btfKindConst, 0, false, pid)
	b.typ("vm_file", btfKindStruct, 0, false, 0) // a name ending in "file"
	b.typ("inode", btfKindFwd, 0, false, 0)      // the same name again: strings need not be deduplicated
	inode := b.strct("inode", 128, false,
		memb{"i_mode", umode, 0}, memb{"i_opflags", u16, 16},
		memb{"i_ino", ul, 64 * 8}, memb{"i_rdev", dev, 76 * 8})
	pInode := b.typ("", btfKindPtr, 0, false, inode)
	anon := b.typ("", btfKindUnion, 2, false, 8, b.str("f_llist"), ul, 0, b.str("f_inode"), pInode, 0)
	b.strct("file", 64, true,
		memb{"f_flags", u32, 3<<24 | 0}, // a 3-bit bitfield
		memb{"", anon, 16 * 8})
	task := b.strct("task_struct", 4096, false, memb{"pid", cpid, 2400 * 8}, memb{"tgid", cpid, 2404 * 8})
	proto := b.typ("", btfKindFuncProto, 1, false, i32, 0, task)
	b.typ("bpf_iter_task_file", btfKindFunc, 0, false, proto)
	return b.bytes()
}

func TestReadLayout(t *testing.T) {
	s, err := parseBTF(kernelLike(), layoutNames...)
	if err != nil {
		t.Fatal(err)
	}
	l, err := readLayout(s)
	if err != nil {
		t.Fatal(err)
	}
	want := layout{
		iterFunc: uint32(len(s.offsets)),
		tgid:     member{2404, 4},
		inode:    member{16, 8},
		mode:     member{0, 2},
		ino:      member{64, 8},
		rdev:     member{76, 4},
	}
	if l != want {
		t.Fatalf("layout = %+v, want %+v", l, want)
	}
}

func TestReadLayoutMissing(t *testing.T) {
	b := newBTF()
	b.typ("int", btfKindInt, 0, false, 4, 32)
	s, err := parseBTF(b.bytes(), layoutNames...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readLayout(s); !errors.Is(err, errBTF) {
		t.Fatalf("err = %v, want errBTF", err)
	}
	// A field of the wrong size (a future kernel's 8-byte tgid) is refused,
	// not loaded with the wrong width.
	b = newBTF()
	i64 := b.typ("long", btfKindInt, 0, false, 8, 64)
	ptr := b.typ("", btfKindPtr, 0, false, 0)
	b.strct("task_struct", 8, false, memb{"tgid", i64, 0})
	b.strct("file", 8, false, memb{"f_inode", ptr, 0})
	b.strct("inode", 8, false, memb{"i_mode", i64, 0}, memb{"i_ino", i64, 0}, memb{"i_rdev", i64, 0})
	b.typ("bpf_iter_task_file", btfKindFunc, 0, false, 0)
	s, _ = parseBTF(b.bytes(), layoutNames...)
	if _, err := readLayout(s); err == nil {
		t.Fatal("an 8-byte tgid was accepted")
	}
}

// TestReadLayoutRefusesWhatAProgramCannotLoad: a field beyond an
// instruction's 16-bit offset, and a struct whose unnamed member is the
// struct itself (malformed BTF), end with an error, not a wrong load or a
// search without end.
func TestReadLayoutRefusesWhatAProgramCannotLoad(t *testing.T) {
	b := newBTF()
	i32 := b.typ("int", btfKindInt, 0, false, 4, 32)
	ptr := b.typ("", btfKindPtr, 0, false, 0)
	u16 := b.typ("unsigned short", btfKindInt, 0, false, 2, 16)
	ul := b.typ("long unsigned int", btfKindInt, 0, false, 8, 64)
	b.strct("task_struct", 1<<16, false, memb{"tgid", i32, 40000 * 8})
	b.strct("file", 8, false, memb{"f_inode", ptr, 0})
	b.strct("inode", 16, false, memb{"i_mode", u16, 0}, memb{"i_ino", ul, 64}, memb{"i_rdev", i32, 32})
	b.typ("bpf_iter_task_file", btfKindFunc, 0, false, 0)
	s, err := parseBTF(b.bytes(), layoutNames...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readLayout(s); !errors.Is(err, errBTF) {
		t.Fatalf("tgid at byte 40000: err = %v, want errBTF", err)
	}

	b = newBTF()
	// Type 1 is a struct whose 200 unnamed members are all type 1.
	var ms []memb
	for range 200 {
		ms = append(ms, memb{"", 1, 0})
	}
	b.strct("task_struct", 8, false, ms...)
	s, err = parseBTF(b.bytes(), layoutNames...)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.member(1, "tgid"); ok {
		t.Fatal("found a field in a struct made only of itself")
	}
}

func TestParseBTFMalformed(t *testing.T) {
	good := kernelLike()
	for name, raw := range map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte{0, 0}, good[2:]...),
		"truncated": good[:len(good)-40],
		"section": func() []byte {
			b := append([]byte(nil), good...)
			binary.LittleEndian.PutUint32(b[12:], 1<<30) // type_len
			return b
		}(),
		"kind": func() []byte {
			b := newBTF()
			b.typ("x", 31, 0, false, 0)
			return b.bytes()
		}(),
		"half type": func() []byte {
			b := append([]byte(nil), good...)
			binary.LittleEndian.PutUint32(b[12:], binary.LittleEndian.Uint32(b[12:])-2)
			return b
		}(),
	} {
		// A name that is not there: the whole type section is read.
		if _, err := parseBTF(raw, btfName{btfKindStruct, "absent"}); !errors.Is(err, errBTF) {
			t.Errorf("%s: err = %v, want errBTF", name, err)
		}
	}
}

func FuzzParseBTF(f *testing.F) {
	f.Add(kernelLike())
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := parseBTF(raw, layoutNames...)
		if err != nil {
			return
		}
		readLayout(s) // must not panic, whatever the members say
	})
}

func BenchmarkParseBTF(b *testing.B) {
	raw := kernelLike()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseBTF(raw, layoutNames...); err != nil {
			b.Fatal(err)
		}
	}
}
