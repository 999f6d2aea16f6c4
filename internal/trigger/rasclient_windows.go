package trigger

import (
	"context"
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

// wevtapi, loaded on first use: the event log API every Windows since Vista
// has; a normal user may read the Application log.
var (
	wevtapi          = windows.NewLazySystemDLL("wevtapi.dll")
	procEvtSubscribe = wevtapi.NewProc("EvtSubscribe")
	procEvtNext      = wevtapi.NewProc("EvtNext")
	procEvtRender    = wevtapi.NewProc("EvtRender")
	procEvtClose     = wevtapi.NewProc("EvtClose")
)

const (
	evtSubscribeToFutureEvents = 1
	evtRenderEventXML          = 1
	errNoMoreItems             = windows.Errno(259) // ERROR_NO_MORE_ITEMS
	errInsufficientBuffer      = windows.ERROR_INSUFFICIENT_BUFFER
	rasQuery                   = "*[System[Provider[@Name='RasClient'] and (EventID=20220 or EventID=20221 or EventID=20222 or EventID=20225 or EventID=20227)]]"
)

type winFeed struct {
	sub    uintptr
	signal windows.Handle
}

func subscribeRas(context.Context) (EventFeed, error) {
	if err := wevtapi.Load(); err != nil {
		return nil, fmt.Errorf("no event log API: %w", err)
	}
	sig, err := windows.CreateEvent(nil, 1, 1, nil)
	if err != nil {
		return nil, fmt.Errorf("CreateEvent: %w", err)
	}
	channel, _ := windows.UTF16PtrFromString("Application")
	query, _ := windows.UTF16PtrFromString(rasQuery)
	h, _, e := procEvtSubscribe.Call(0, uintptr(sig), uintptr(unsafe.Pointer(channel)), uintptr(unsafe.Pointer(query)),
		0, 0, 0, evtSubscribeToFutureEvents)
	if h == 0 {
		windows.CloseHandle(sig)
		if e == windows.ERROR_SUCCESS {
			// Wine 8.0's stub: no handle and no error code.
			return nil, fmt.Errorf("cannot subscribe to the Application log: EvtSubscribe returned no subscription")
		}
		return nil, fmt.Errorf("cannot subscribe to the Application log: EvtSubscribe: %w", e)
	}
	return &winFeed{sub: h, signal: sig}, nil
}

// Next waits for the signal (in slices, so ctx is honoured) and drains
// EvtNext, rendering each event as XML.
func (f *winFeed) Next(ctx context.Context) ([][]byte, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ev, err := windows.WaitForSingleObject(f.signal, 500)
		if err != nil {
			return nil, fmt.Errorf("waiting for events: %w", err)
		}
		if ev == uint32(windows.WAIT_TIMEOUT) {
			continue
		}
		var out [][]byte
		for {
			var hs [16]uintptr
			var n uint32
			r, _, e := procEvtNext.Call(f.sub, uintptr(len(hs)), uintptr(unsafe.Pointer(&hs[0])), 0, 0, uintptr(unsafe.Pointer(&n)))
			if r == 0 {
				if e == errNoMoreItems {
					windows.ResetEvent(f.signal)
					break
				}
				return out, fmt.Errorf("EvtNext: %w", e)
			}
			for _, h := range hs[:n] {
				if x, err := render(h); err == nil {
					out = append(out, x)
				}
				procEvtClose.Call(h)
			}
		}
		if len(out) > 0 {
			return out, nil
		}
	}
}

// render returns an event's XML as UTF-8.
func render(h uintptr) ([]byte, error) {
	buf := make([]uint16, 4096)
	for {
		var used, props uint32
		r, _, e := procEvtRender.Call(0, h, evtRenderEventXML, uintptr(len(buf)*2), uintptr(unsafe.Pointer(&buf[0])),
			uintptr(unsafe.Pointer(&used)), uintptr(unsafe.Pointer(&props)))
		if r != 0 {
			return []byte(windows.UTF16ToString(buf[:used/2])), nil
		}
		if e != errInsufficientBuffer || used/2 <= uint32(len(buf)) || used > 1<<20 {
			return nil, fmt.Errorf("EvtRender: %w", e)
		}
		buf = make([]uint16, used/2+1)
	}
}

func (f *winFeed) Close() error {
	procEvtClose.Call(f.sub)
	return windows.CloseHandle(f.signal)
}
