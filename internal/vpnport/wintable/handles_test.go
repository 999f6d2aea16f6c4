package wintable

import (
	"encoding/binary"
	"errors"
	"testing"
	"unicode/utf16"
)

func handleRow64(obj, pid, handle uint64, access uint32, typ uint16) []byte {
	b := make([]byte, 40)
	binary.LittleEndian.PutUint64(b[0:], obj)
	binary.LittleEndian.PutUint64(b[8:], pid)
	binary.LittleEndian.PutUint64(b[16:], handle)
	binary.LittleEndian.PutUint32(b[24:], access)
	binary.LittleEndian.PutUint16(b[28:], 7) // CreatorBackTraceIndex: must not leak into the type
	binary.LittleEndian.PutUint16(b[30:], typ)
	return b
}

func handleTable64(rows ...[]byte) []byte {
	b := make([]byte, 16)
	binary.LittleEndian.PutUint64(b, uint64(len(rows)))
	binary.LittleEndian.PutUint64(b[8:], 0xdeadbeef) // Reserved
	return cat(append([][]byte{b}, rows...)...)
}

func TestEachHandle(t *testing.T) {
	buf := handleTable64(
		handleRow64(0xffff800011110000, 4, 0x4, 0x1fffff, 8),
		handleRow64(0xffff800022220000, 1234, 0x2a8, 0x12019f, 40),
		handleRow64(0xffff800033330000, 999, 0x10, 0x120089, 40),
	)
	var got []handle
	if err := eachHandle(buf, 8, func(h handle) bool { got = append(got, h); return true }); err != nil {
		t.Fatal(err)
	}
	want := handle{Object: 0xffff800022220000, PID: 1234, Handle: 0x2a8, Access: 0x12019f, TypeIndex: 40}
	if len(got) != 3 || got[1] != want {
		t.Fatalf("got %+v", got)
	}
	idx, ok, err := fileTypeIndex(buf, 8, 999, 0x10)
	if err != nil || !ok || idx != 40 {
		t.Fatalf("file type index %d, %v, %v", idx, ok, err)
	}
	if _, ok, _ := fileTypeIndex(buf, 8, 999, 0x14); ok {
		t.Fatal("found a handle that is not in the table")
	}
	if err := eachHandle(buf[:len(buf)-1], 8, func(handle) bool { return true }); !errors.Is(err, ErrShort) {
		t.Fatalf("truncated table: %v", err)
	}
}

func TestEachHandle32(t *testing.T) {
	b := make([]byte, 8+28)
	binary.LittleEndian.PutUint32(b, 1)
	binary.LittleEndian.PutUint32(b[8+4:], 77)  // UniqueProcessId
	binary.LittleEndian.PutUint32(b[8+8:], 0x8) // HandleValue
	binary.LittleEndian.PutUint16(b[8+18:], 31) // ObjectTypeIndex
	var got handle
	if err := eachHandle(b, 4, func(h handle) bool { got = h; return false }); err != nil {
		t.Fatal(err)
	}
	if got.PID != 77 || got.Handle != 8 || got.TypeIndex != 31 {
		t.Fatalf("got %+v", got)
	}
}

func TestDecodeObjectName(t *testing.T) {
	const base = 0x7ff0_0000_1000
	name := `\Device\Serial0`
	u := utf16.Encode([]rune(name))
	buf := make([]byte, 16+2*len(u)+2)
	binary.LittleEndian.PutUint16(buf, uint16(2*len(u)))
	binary.LittleEndian.PutUint16(buf[2:], uint16(2*len(u)+2))
	binary.LittleEndian.PutUint64(buf[8:], base+16)
	for i, c := range u {
		binary.LittleEndian.PutUint16(buf[16+2*i:], c)
	}
	got, err := decodeObjectName(buf, base, 8)
	if err != nil || got != name {
		t.Fatalf("got %q, %v", got, err)
	}
	binary.LittleEndian.PutUint64(buf[8:], base+1<<20)
	if _, err := decodeObjectName(buf, base, 8); err == nil {
		t.Fatal("pointer outside the buffer accepted")
	}
	binary.LittleEndian.PutUint64(buf[8:], base-2)
	if _, err := decodeObjectName(buf, base, 8); err == nil {
		t.Fatal("pointer below the buffer accepted")
	}
}

func FuzzHandles(f *testing.F) {
	f.Add(handleTable64(handleRow64(1, 2, 3, 4, 5)), uint64(0), true)
	f.Fuzz(func(t *testing.T, buf []byte, base uint64, x64 bool) {
		ptr := 4
		if x64 {
			ptr = 8
		}
		_, row := handleLayout(ptr)
		n := 0
		if err := eachHandle(buf, ptr, func(handle) bool { n++; return true }); err == nil && n*row > len(buf) {
			t.Fatalf("%d rows from %d bytes", n, len(buf))
		}
		if s, err := decodeObjectName(buf, base, ptr); err == nil && len(s) > 3*len(buf) {
			t.Fatalf("name of %d bytes from %d", len(s), len(buf))
		}
	})
}

func BenchmarkEachHandle(b *testing.B) {
	rows := make([][]byte, 100000)
	for i := range rows {
		rows[i] = handleRow64(uint64(i), uint64(i%500), uint64(4*i), 0x120089, uint16(i%60))
	}
	buf := handleTable64(rows...)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := fileTypeIndex(buf, 8, 499, 4*99999); err != nil {
			b.Fatal(err)
		}
	}
}
