package taskfiles

import (
	"encoding/binary"
	"slices"
	"testing"
)

func TestUserDev(t *testing.T) {
	for _, c := range []struct {
		major, minor uint32
		want         uint64
	}{
		{1, 3, 0x103},              // /dev/null
		{136, 3, 0x8803},           // /dev/pts/3
		{188, 0, 0xbc00},           // /dev/ttyUSB0
		{259, 0xfffff, 0xfff103ff}, // the largest minor the kernel has
		{4095, 0, 0xfff00},
	} {
		if got := userDev(c.major<<20 | c.minor); got != c.want {
			t.Errorf("userDev(%d:%d) = %#x, want %#x", c.major, c.minor, got, c.want)
		}
	}
}

func record(tgid, fd, mode, rdev uint32, ino uint64) []byte {
	b := binary.LittleEndian.AppendUint32(nil, tgid)
	b = binary.LittleEndian.AppendUint32(b, fd)
	b = binary.LittleEndian.AppendUint32(b, mode)
	b = binary.LittleEndian.AppendUint32(b, rdev)
	return binary.LittleEndian.AppendUint64(b, ino)
}

func TestDecodeRecords(t *testing.T) {
	raw := slices.Concat(
		record(100, 3, sIFSOCK, 0, 4242),
		record(100, 0, sIFCHR, 136<<20|2, 5),
		record(7, 9, 0x8000, 0, 77), // a regular file: never written by the program, skipped if seen
	)
	got, err := decodeRecords(nil, raw, binary.LittleEndian, true)
	want := []File{{PID: 100, FD: 3, Socket: true, Inode: 4242}, {PID: 100, FD: 0, Inode: 5, Rdev: 0x8802}}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("decode = %+v, %v; want %+v", got, err, want)
	}
	if got, _ := decodeRecords(nil, raw, binary.LittleEndian, false); !slices.Equal(got, want[:1]) {
		t.Fatalf("sockets only = %+v, want %+v", got, want[:1])
	}
	if _, err := decodeRecords(nil, raw[:30], binary.LittleEndian, true); err == nil {
		t.Fatal("a partial record was accepted")
	}
}

// TestProgramJumps: every jump lands inside the program, the program ends
// in exit, and the record it writes is recordLen bytes at the frame's end
// (the verifier refuses the rest; this says why before a kernel does).
func TestProgramJumps(t *testing.T) {
	p := program(layout{tgid: member{2404, 4}, inode: member{40, 8}, mode: member{0, 2}, ino: member{64, 8}, rdev: member{76, 4}})
	if last := p[len(p)-1]; last.code != opExit {
		t.Fatalf("last instruction %+v, want exit", last)
	}
	stored := 0
	for pc, in := range p {
		switch in.code {
		case opJeqK, opJneK:
			if to := pc + 1 + int(in.off); to <= pc || to >= len(p) {
				t.Errorf("insn %d jumps to %d", pc, to)
			}
		case opStxW:
			stored += 4
		case opStxDW:
			stored += 8
		}
		if in.code == opStxW || in.code == opStxDW {
			if in.dst != regFrame || in.off < -recordLen || in.off >= 0 {
				t.Errorf("insn %d stores outside the record: %+v", pc, in)
			}
		}
	}
	if stored != recordLen {
		t.Errorf("the program stores %d bytes, the record is %d", stored, recordLen)
	}
	code := encode(p, binary.LittleEndian)
	if len(code) != 8*len(p) || code[0] != opMovX || code[1] != 0x16 {
		t.Errorf("encoded start % x, want bf 16 (r6 = r1)", code[:8])
	}
	if big := encode(p, binary.BigEndian); big[1] != 0x61 {
		t.Errorf("big-endian registers %#x, want 0x61", big[1])
	}
}
