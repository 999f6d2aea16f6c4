package remedy

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

const defaultGOOS = "windows"

type winProcess struct {
	h   windows.Handle
	pid int
}

func openProcess(pid int) (Process, error) {
	h, err := windows.OpenProcess(windows.PROCESS_TERMINATE|windows.PROCESS_QUERY_LIMITED_INFORMATION|windows.SYNCHRONIZE, false, uint32(pid))
	if err != nil {
		return nil, fmt.Errorf("opening process %d: %w", pid, err)
	}
	return &winProcess{h: h, pid: pid}, nil
}

func (w *winProcess) Identity() (string, time.Time, error) {
	var ct, et, kt, ut windows.Filetime
	if err := windows.GetProcessTimes(w.h, &ct, &et, &kt, &ut); err != nil {
		return "", time.Time{}, fmt.Errorf("reading start time of %d: %w", w.pid, err)
	}
	buf := make([]uint16, windows.MAX_LONG_PATH)
	n := uint32(len(buf))
	exe := ""
	if err := windows.QueryFullProcessImageName(w.h, 0, &buf[0], &n); err == nil {
		exe = windows.UTF16ToString(buf[:n])
	}
	return exe, time.Unix(0, ct.Nanoseconds()), nil
}

// Terminate is TerminateProcess: Windows has no SIGTERM for an arbitrary
// process (console control events reach only processes sharing a console).
func (w *winProcess) Terminate() error { return windows.TerminateProcess(w.h, 1) }
func (w *winProcess) Kill() error      { return windows.TerminateProcess(w.h, 1) }
func (w *winProcess) Release() error   { return windows.CloseHandle(w.h) }

func (w *winProcess) Exited() bool {
	ev, err := windows.WaitForSingleObject(w.h, 0)
	return err == nil && ev == windows.WAIT_OBJECT_0
}

func pidAlive(pid int) bool {
	h, err := windows.OpenProcess(windows.SYNCHRONIZE|windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		// Access denied means it exists (another user's process).
		return errors.Is(err, windows.ERROR_ACCESS_DENIED)
	}
	defer windows.CloseHandle(h)
	ev, err := windows.WaitForSingleObject(h, 0)
	return err == nil && ev == uint32(windows.WAIT_TIMEOUT)
}

var (
	shell32             = windows.NewLazySystemDLL("shell32.dll")
	procShellExecuteExW = shell32.NewProc("ShellExecuteExW")
)

// shellExecuteInfo is SHELLEXECUTEINFOW.
type shellExecuteInfo struct {
	cbSize       uint32
	fMask        uint32
	hwnd         windows.HWND
	verb         *uint16
	file         *uint16
	parameters   *uint16
	directory    *uint16
	show         int32
	instApp      windows.Handle
	idList       uintptr
	class        *uint16
	keyClass     windows.Handle
	hotKey       uint32
	iconOrMonitr windows.Handle
	process      windows.Handle
}

const (
	seeMaskNoCloseProcess = 0x40
	seeMaskNoAsync        = 0x100
)

// runElevated starts argv with the "runas" verb, which shows the UAC prompt,
// and waits for it. The elevated process has no console we can read, so
// there is no output; the exit code says whether it worked.
//
// ShellExecuteEx blocks until the prompt is answered and cannot be
// interrupted, so it runs on its own goroutine and an ended ctx stops the
// wait, not the prompt: an answer given later still runs the command, which
// is what the user asked for, and its handle is closed then. An elevated
// process cannot be ended from here either (no access), so waiting for it
// stops at ctx too.
func runElevated(ctx context.Context, argv []string, _ time.Duration) ([]byte, error) {
	done := make(chan shellResult, 1)
	go func() { done <- shellExecuteRunas(argv) }()
	var h windows.Handle
	select {
	case r := <-done:
		if r.err != nil {
			return nil, r.err
		}
		h = r.h
	case <-ctx.Done():
		go func() {
			if r := <-done; r.h != 0 {
				windows.CloseHandle(r.h)
			}
		}()
		return nil, fmt.Errorf("waiting for the administrator prompt for %s: %w", argv[0], ctx.Err())
	}
	defer windows.CloseHandle(h)
	for {
		ev, err := windows.WaitForSingleObject(h, 200)
		if err != nil {
			return nil, fmt.Errorf("waiting for %s: %w", argv[0], err)
		}
		if ev == windows.WAIT_OBJECT_0 {
			break
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("waiting for %s: %w", argv[0], ctx.Err())
		}
	}
	var code uint32
	if err := windows.GetExitCodeProcess(h, &code); err != nil {
		return nil, fmt.Errorf("reading exit code of %s: %w", argv[0], err)
	}
	if code != 0 {
		return nil, fmt.Errorf("%s exited with code %d", argv[0], code)
	}
	return nil, nil
}

type shellResult struct {
	h   windows.Handle
	err error
}

// shellExecuteRunas starts argv through the UAC prompt and returns the
// process handle.
func shellExecuteRunas(argv []string) shellResult {
	verb, _ := windows.UTF16PtrFromString("runas")
	file, err := windows.UTF16PtrFromString(argv[0])
	if err != nil {
		return shellResult{err: err}
	}
	params, err := windows.UTF16PtrFromString(windowsCommandLine(argv[1:]))
	if err != nil {
		return shellResult{err: err}
	}
	info := shellExecuteInfo{
		fMask:      seeMaskNoCloseProcess | seeMaskNoAsync,
		verb:       verb,
		file:       file,
		parameters: params,
		show:       windows.SW_HIDE,
	}
	info.cbSize = uint32(unsafe.Sizeof(info))
	if r, _, err := procShellExecuteExW.Call(uintptr(unsafe.Pointer(&info))); r == 0 {
		// ERROR_CANCELLED: the user said no at the UAC prompt.
		return shellResult{err: fmt.Errorf("starting %s as administrator: %w", argv[0], err)}
	}
	if info.process == 0 {
		return shellResult{err: fmt.Errorf("starting %s as administrator: no process handle", argv[0])}
	}
	return shellResult{h: info.process}
}

func networkManagerRunning(context.Context, func(context.Context, []string) ([]byte, error)) bool {
	return false
}
