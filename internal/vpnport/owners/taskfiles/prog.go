package taskfiles

import (
	"encoding/binary"
	"fmt"
	"math"
)

// layout is where the program finds what it reports, read from the
// running kernel's BTF: struct layouts differ between kernel builds.
type layout struct {
	iterFunc uint32 // BTF id of bpf_iter_task_file, the attach point
	tgid     member // task_struct.tgid
	inode    member // file.f_inode
	mode     member // inode.i_mode
	ino      member // inode.i_ino
	rdev     member // inode.i_rdev
}

// layoutNames are the types readLayout needs, for parseBTF to find.
var layoutNames = []btfName{
	{btfKindFunc, "bpf_iter_task_file"},
	{btfKindStruct, "task_struct"},
	{btfKindStruct, "file"},
	{btfKindStruct, "inode"},
}

// readLayout looks up the program's attach point and fields in s, parsed
// with layoutNames.
func readLayout(s *btfSpec) (layout, error) {
	var l layout
	ids := s.found
	if l.iterFunc = ids[0]; l.iterFunc == 0 {
		return l, fmt.Errorf("%w: no bpf_iter_task_file (kernel older than 5.8?)", errBTF)
	}
	fields := []struct {
		strct, field string
		id           uint32
		dst          *member
		size         uint32 // 0: 4 or 8
	}{
		{"task_struct", "tgid", ids[1], &l.tgid, 4},
		{"file", "f_inode", ids[2], &l.inode, 8},
		{"inode", "i_mode", ids[3], &l.mode, 2},
		{"inode", "i_ino", ids[3], &l.ino, 0},
		{"inode", "i_rdev", ids[3], &l.rdev, 4},
	}
	for _, f := range fields {
		m, ok := s.member(f.id, f.field)
		switch {
		case f.id == 0:
			return l, fmt.Errorf("%w: no struct %s", errBTF, f.strct)
		case !ok:
			return l, fmt.Errorf("%w: no field %s.%s", errBTF, f.strct, f.field)
		case f.size != 0 && m.size != f.size,
			f.size == 0 && m.size != 4 && m.size != 8:
			return l, fmt.Errorf("%w: %s.%s is %d bytes", errBTF, f.strct, f.field, m.size)
		case m.off > math.MaxInt16:
			// An instruction's offset is 16 bits.
			return l, fmt.Errorf("%w: %s.%s at byte %d, beyond a load's reach", errBTF, f.strct, f.field, m.off)
		}
		*f.dst = m
	}
	return l, nil
}

// recordLen is one record the program writes: tgid, fd, mode, rdev (u32
// each, the kernel's dev_t encoding), inode number (u64), in the machine's
// byte order.
const recordLen = 24

// Context offsets of struct bpf_iter__task_file: meta, task, fd, file.
const (
	ctxMeta = 0
	ctxTask = 8
	ctxFD   = 16
	ctxFile = 24
)

const (
	helperSeqWrite = 127 // BPF_FUNC_seq_write
	sIFMT          = 0xf000
	sIFSOCK        = 0xc000
	sIFCHR         = 0x2000
)

// insn is one eBPF instruction.
type insn struct {
	code     uint8
	dst, src uint8
	off      int16
	imm      int32
}

// Opcodes used below (include/uapi/linux/bpf.h, bpf_common.h).
const (
	opLdxW   = 0x61 // dst = *(u32 *)(src + off)
	opLdxH   = 0x69 // dst = *(u16 *)(src + off)
	opLdxDW  = 0x79 // dst = *(u64 *)(src + off)
	opStxW   = 0x63 // *(u32 *)(dst + off) = src
	opStxDW  = 0x7b // *(u64 *)(dst + off) = src
	opMovX   = 0xbf // dst = src
	opMovK   = 0xb7 // dst = imm
	opAddK   = 0x07 // dst += imm
	opAndK   = 0x57 // dst &= imm
	opJeqK   = 0x15 // if dst == imm goto +off
	opJneK   = 0x55 // if dst != imm goto +off
	opCall   = 0x85
	opExit   = 0x95
	regCtx   = 6  // the context, kept across the helper call
	regFrame = 10 // the read-only frame pointer
)

// ldx is the load of a field of size bytes.
func ldx(dst, src uint8, m member) insn {
	code := uint8(opLdxDW)
	switch m.size {
	case 4:
		code = opLdxW
	case 2:
		code = opLdxH
	}
	return insn{code: code, dst: dst, src: src, off: int16(m.off)}
}

// program assembles the iterator program for l. For every open file that
// is a socket or a character device it writes one record to the seq_file;
// everything else (the bulk: regular files, pipes) is skipped in the
// kernel. Loads through the task and file pointers are checked by the
// verifier against BTF and cannot fault the kernel.
func program(l layout) []insn {
	const out = 26 // index of the exit path
	p := []insn{
		{code: opMovX, dst: regCtx, src: 1},                // 0: r6 = ctx
		{code: opLdxDW, dst: 7, src: regCtx, off: ctxTask}, // 1: r7 = ctx->task
		{code: opLdxDW, dst: 8, src: regCtx, off: ctxFile}, // 2: r8 = ctx->file
		{code: opJeqK, dst: 7, off: out - 4},               // 3: the end of the walk: no task
		{code: opJeqK, dst: 8, off: out - 5},               // 4: no file
		ldx(2, 8, l.inode),                                 // 5: r2 = file->f_inode
		{code: opJeqK, dst: 2, off: out - 7},               // 6
		ldx(3, 2, l.mode),                                  // 7: r3 = inode->i_mode
		{code: opAndK, dst: 3, imm: sIFMT},                 // 8
		{code: opJeqK, dst: 3, imm: sIFSOCK, off: 1},       // 9: a socket: report
		{code: opJneK, dst: 3, imm: sIFCHR, off: out - 11}, // 10: not a char device: skip
		ldx(4, 2, l.ino),                                   // 11: r4 = inode->i_ino
		ldx(5, 2, l.rdev),                                  // 12: r5 = inode->i_rdev
		{code: opStxDW, dst: regFrame, src: 4, off: -8},    // 13: rec.ino
		ldx(0, 7, l.tgid),                                  // 14: r0 = task->tgid
		{code: opStxW, dst: regFrame, src: 0, off: -24},    // 15: rec.tgid
		{code: opLdxW, dst: 0, src: regCtx, off: ctxFD},    // 16: r0 = ctx->fd
		{code: opStxW, dst: regFrame, src: 0, off: -20},    // 17: rec.fd
		{code: opStxW, dst: regFrame, src: 3, off: -16},    // 18: rec.mode
		{code: opStxW, dst: regFrame, src: 5, off: -12},    // 19: rec.rdev
		{code: opLdxDW, dst: 1, src: regCtx, off: ctxMeta}, // 20: r1 = ctx->meta
		{code: opLdxDW, dst: 1, src: 1, off: 0},            // 21: r1 = meta->seq
		{code: opMovX, dst: 2, src: regFrame},              // 22
		{code: opAddK, dst: 2, imm: -recordLen},            // 23: r2 = &rec
		{code: opMovK, dst: 3, imm: recordLen},             // 24
		{code: opCall, imm: helperSeqWrite},                // 25: bpf_seq_write(seq, &rec, 24)
		{code: opMovK, dst: 0, imm: 0},                     // 26: out: r0 = 0
		{code: opExit},                                     // 27
	}
	return p
}

// encode lays the instructions out as a kernel of the given byte order
// reads them: the two register fields share a byte, in order of the bits.
func encode(p []insn, order binary.AppendByteOrder) []byte {
	big := order.AppendUint16(nil, 1)[0] == 0
	b := make([]byte, 0, 8*len(p))
	for _, in := range p {
		regs := in.dst&0xf | in.src<<4
		if big {
			regs = in.dst<<4 | in.src&0xf
		}
		b = append(b, in.code, regs)
		b = order.AppendUint16(b, uint16(in.off))
		b = order.AppendUint32(b, uint32(in.imm))
	}
	return b
}
