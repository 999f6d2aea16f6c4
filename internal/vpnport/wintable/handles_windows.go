package wintable

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// SystemExtendedHandleInformation must be information class 64; these two
// constants fail to compile if x/sys ever numbers it differently.
const (
	_ = uint(windows.SystemExtendedHandleInformation - 64)
	_ = uint(64 - windows.SystemExtendedHandleInformation)
)

var (
	ntdll         = windows.NewLazySystemDLL("ntdll.dll")
	ntQueryObject = ntdll.NewProc("NtQueryObject")
	// nameQueryTimeout bounds one object-name query; some handles (pipes
	// with pending synchronous I/O) block NtQueryObject forever.
	nameQueryTimeout = 200 * time.Millisecond
	// maxStuckQueries stops the search after this many queries hung: each
	// leaves a goroutine blocked in the kernel until the handle closes.
	maxStuckQueries = 3
	handleTableMax  = 512 << 20
)

const objectNameInformation = 1

// handleTable reads the system handle table, growing the buffer while the
// kernel answers STATUS_INFO_LENGTH_MISMATCH.
func handleTable() ([]byte, error) {
	buf := make([]byte, 4<<20)
	for {
		var need uint32
		err := windows.NtQuerySystemInformation(windows.SystemExtendedHandleInformation,
			unsafe.Pointer(&buf[0]), uint32(len(buf)), &need)
		if err == nil {
			return buf, nil
		}
		if !errors.Is(err, windows.STATUS_INFO_LENGTH_MISMATCH) || len(buf) >= handleTableMax {
			return nil, fmt.Errorf("reading the system handle table: %w", err)
		}
		// The table grows while we allocate: leave room.
		buf = make([]byte, max(2*len(buf), int(need)+int(need)/2))
	}
}

// objectName asks for a handle's kernel object name in a goroutine and
// gives up after nameQueryTimeout. The buffer is the goroutine's own, so
// a query that completes after we gave up writes nowhere we still read.
func objectName(h windows.Handle) (name string, stuck bool, err error) {
	type result struct {
		name string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		defer windows.CloseHandle(h)
		buf := make([]byte, 4096)
		var n uint32
		r, _, _ := ntQueryObject.Call(uintptr(h), objectNameInformation,
			uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), uintptr(unsafe.Pointer(&n)))
		if r != 0 {
			done <- result{err: windows.NTStatus(r)}
			return
		}
		s, err := decodeObjectName(buf, uint64(uintptr(unsafe.Pointer(&buf[0]))), int(unsafe.Sizeof(uintptr(0))))
		done <- result{s, err}
	}()
	t := time.NewTimer(nameQueryTimeout)
	defer t.Stop()
	select {
	case r := <-done:
		return r.name, false, r.err
	case <-t.C:
		return "", true, nil
	}
}

// DeviceHolders returns the PIDs of processes with a handle open on the
// kernel device object (\Device\Serial0). Only processes it may open with
// PROCESS_DUP_HANDLE are searched: other users' and services' need an
// elevated token, without which they are not found.
func DeviceHolders(ctx context.Context, object string) ([]int, error) {
	// Learn the File type index from a handle of our own, opened before the
	// table is read so that the table lists it.
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(exe)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	table, err := handleTable()
	if err != nil {
		return nil, err
	}
	ptr := int(unsafe.Sizeof(uintptr(0)))
	self := uint64(windows.GetCurrentProcessId())
	fileType, ok, err := fileTypeIndex(table, ptr, self, uint64(f.Fd()))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("own file handle missing from the handle table")
	}

	procs := map[uint64]windows.Handle{}
	defer func() {
		for _, h := range procs {
			if h != 0 {
				windows.CloseHandle(h)
			}
		}
	}()
	me := windows.CurrentProcess()
	found := map[int]bool{}
	var pids []int
	stuck := 0
	var loopErr error
	err = eachHandle(table, ptr, func(h handle) bool {
		if ctx.Err() != nil {
			loopErr = ctx.Err()
			return false
		}
		if h.TypeIndex != fileType || h.PID == self || h.PID == PIDIdle || found[int(h.PID)] || hangAccess[h.Access] {
			return true
		}
		proc, seen := procs[h.PID]
		if !seen {
			proc, _ = windows.OpenProcess(windows.PROCESS_DUP_HANDLE, false, uint32(h.PID))
			procs[h.PID] = proc
		}
		if proc == 0 {
			return true
		}
		var dup windows.Handle
		if windows.DuplicateHandle(proc, windows.Handle(h.Handle), me, &dup, 0, false, windows.DUPLICATE_SAME_ACCESS) != nil {
			return true
		}
		name, hung, err := objectName(dup)
		if hung {
			stuck++
			if stuck >= maxStuckQueries {
				loopErr = fmt.Errorf("%d object-name queries hung; search stopped", stuck)
				return false
			}
			return true
		}
		if err == nil && strings.EqualFold(name, object) {
			found[int(h.PID)] = true
			pids = append(pids, int(h.PID))
		}
		return true
	})
	return pids, errors.Join(err, loopErr)
}
