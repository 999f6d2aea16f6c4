package taskfiles

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Where the kernel's own BTF is, and the inode number procfs gives the
// initial PID namespace (PROC_PID_INIT_INO, fixed in the kernel ABI).
// Variables so tests can point them elsewhere.
var (
	vmlinuxBTF = "/sys/kernel/btf/vmlinux"
	pidNSPath  = "/proc/self/ns/pid"
)

const (
	procPIDInitIno  = 0xeffffffc
	capSysAdmin     = 21
	capPerfmon      = 38
	capBPF          = 39
	readBufLen      = 64 << 10
	verifierLogSize = 64 << 10
)

type impl struct {
	prog, link int
	buf        []byte
}

func permitted() bool { return unsafe.Sizeof(uintptr(0)) == 8 && capable() }

func newImpl() (impl, error) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		return impl{}, errors.New("needs a 64-bit kernel")
	}
	if !capable() {
		return impl{}, errors.New("needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN")
	}
	// The program reports task->tgid, the PID in the initial namespace;
	// inside a container's namespace those would be other processes' PIDs.
	var st unix.Stat_t
	if err := unix.Stat(pidNSPath, &st); err != nil {
		return impl{}, fmt.Errorf("reading the PID namespace: %w", err)
	}
	if st.Ino != procPIDInitIno {
		return impl{}, errors.New("not in the initial PID namespace")
	}
	l, err := kernelLayout()
	if err != nil {
		return impl{}, err
	}
	prog, err := loadProgram(encode(program(l), binary.NativeEndian), l.iterFunc)
	if err != nil {
		return impl{}, err
	}
	link, err := linkIter(prog)
	if err != nil {
		unix.Close(prog)
		return impl{}, err
	}
	return impl{prog: prog, link: link}, nil
}

// capable reports whether the effective capabilities allow loading and
// running a tracing program that reads kernel memory.
func capable() bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if unix.Capget(&hdr, &data[0]) != nil {
		return false
	}
	has := func(c int) bool { return data[c/32].Effective&(1<<(c%32)) != 0 }
	return has(capSysAdmin) || has(capBPF) && has(capPerfmon)
}

// kernelLayout reads the running kernel's BTF. Mapping it costs about
// 0.1 ms where reading it costs 3 ms (5 MB); where the kernel refuses to
// map it, it is read.
func kernelLayout() (layout, error) {
	f, err := os.Open(vmlinuxBTF)
	if err != nil {
		return layout{}, fmt.Errorf("kernel BTF: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return layout{}, fmt.Errorf("kernel BTF: %w", err)
	}
	size := int(fi.Size())
	var raw []byte
	if m, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_PRIVATE); err == nil {
		defer unix.Munmap(m)
		raw = m
	} else {
		raw = make([]byte, size)
		n := 0
		for n < size {
			k, err := f.Read(raw[n:])
			if k == 0 || err != nil {
				break
			}
			n += k
		}
		raw = raw[:n]
	}
	spec, err := parseBTF(raw, layoutNames...)
	if err != nil {
		return layout{}, fmt.Errorf("kernel BTF %s: %w", vmlinuxBTF, err)
	}
	return readLayout(spec)
}

// bpf calls bpf(2). The kernel may refuse a load with EAGAIN now and then
// (its verifier ran out of a resource); a few tries, as libbpf makes.
func bpf(cmd int, attr []byte) (int, error) {
	for try := 0; ; try++ {
		r, _, e := unix.Syscall(unix.SYS_BPF, uintptr(cmd), uintptr(unsafe.Pointer(&attr[0])), uintptr(len(attr)))
		switch {
		case e == 0:
			return int(r), nil
		case (e == unix.EINTR || e == unix.EAGAIN) && try < 5:
			continue
		}
		return -1, e
	}
}

// loadProgram loads the iterator program; a refusal carries the last line
// of the verifier's log.
func loadProgram(code []byte, attachBTFID uint32) (int, error) {
	license := []byte("Dual MIT/GPL\x00") // bpf_seq_write is for GPL-compatible programs
	name := "traycheck_files"
	// The attr holds these buffers' addresses as plain numbers, which
	// neither keep them alive nor follow them if they move (a buffer on the
	// goroutine's stack moves when the stack grows): pin them.
	var pin runtime.Pinner
	defer pin.Unpin()
	pin.Pin(&code[0])
	pin.Pin(&license[0])
	attr := make([]byte, 120)
	ne := binary.NativeEndian
	ne.PutUint32(attr[0:], unix.BPF_PROG_TYPE_TRACING)
	ne.PutUint32(attr[4:], uint32(len(code)/8))
	ne.PutUint64(attr[8:], uint64(uintptr(unsafe.Pointer(&code[0]))))
	ne.PutUint64(attr[16:], uint64(uintptr(unsafe.Pointer(&license[0]))))
	copy(attr[48:63], name)
	ne.PutUint32(attr[68:], unix.BPF_TRACE_ITER)
	ne.PutUint32(attr[108:], attachBTFID)
	fd, err := bpf(unix.BPF_PROG_LOAD, attr)
	if err == nil {
		return fd, nil
	}
	if err == unix.EPERM {
		return -1, fmt.Errorf("loading the program: %w", err)
	}
	// Again with the verifier's log, for the reason.
	log := make([]byte, verifierLogSize)
	pin.Pin(&log[0])
	ne.PutUint32(attr[24:], 1)
	ne.PutUint32(attr[28:], uint32(len(log)))
	ne.PutUint64(attr[32:], uint64(uintptr(unsafe.Pointer(&log[0]))))
	if fd, err2 := bpf(unix.BPF_PROG_LOAD, attr); err2 == nil {
		return fd, nil // a transient refusal
	}
	return -1, fmt.Errorf("loading the program: %w: %s", err, lastLine(log))
}

func lastLine(log []byte) string {
	if i := bytes.IndexByte(log, 0); i >= 0 {
		log = log[:i]
	}
	log = bytes.TrimRight(log, "\n")
	if i := bytes.LastIndexByte(log, '\n'); i >= 0 {
		log = log[i+1:]
	}
	return string(log)
}

func linkIter(prog int) (int, error) {
	attr := make([]byte, 32)
	binary.NativeEndian.PutUint32(attr[0:], uint32(prog))
	binary.NativeEndian.PutUint32(attr[8:], unix.BPF_TRACE_ITER)
	fd, err := bpf(unix.BPF_LINK_CREATE, attr)
	if err != nil {
		return -1, fmt.Errorf("attaching the iterator: %w", err)
	}
	return fd, nil
}

func (i *impl) list(ctx context.Context, dst []File, devices bool) ([]File, error) {
	attr := make([]byte, 8)
	binary.NativeEndian.PutUint32(attr, uint32(i.link))
	fd, err := bpf(unix.BPF_ITER_CREATE, attr)
	if err != nil {
		return dst, fmt.Errorf("%w: starting the iteration: %w", ErrUnavailable, err)
	}
	defer unix.Close(fd)
	if i.buf == nil {
		i.buf = make([]byte, readBufLen)
	}
	if dst == nil {
		// Room for a busy machine's sockets without regrowth: pages
		// not written to cost nothing.
		dst = make([]File, 0, 1<<15)
	}
	// A read may end inside a record; the rest comes with the next.
	have := 0
	for {
		if err := ctx.Err(); err != nil {
			return dst, err
		}
		n, err := unix.Read(fd, i.buf[have:])
		if err == unix.EINTR || err == unix.EAGAIN {
			continue
		}
		if err != nil {
			return dst, fmt.Errorf("%w: reading the iteration: %w", ErrUnavailable, err)
		}
		if n == 0 {
			if have != 0 {
				return dst, fmt.Errorf("%w: the iteration ended inside a record", ErrUnavailable)
			}
			return dst, nil
		}
		have += n
		whole := have - have%recordLen
		if dst, err = decodeRecords(dst, i.buf[:whole], binary.NativeEndian, devices); err != nil {
			return dst, err
		}
		have = copy(i.buf, i.buf[whole:have])
	}
}

func (i *impl) close() error {
	return errors.Join(unix.Close(i.link), unix.Close(i.prog))
}
