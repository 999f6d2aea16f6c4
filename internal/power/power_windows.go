package power

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	modpowrprof    = windows.NewLazySystemDLL("powrprof.dll")
	procRegister   = modpowrprof.NewProc("PowerRegisterSuspendResumeNotification")
	procUnregister = modpowrprof.NewProc("PowerUnregisterSuspendResumeNotification")

	modkernel32       = windows.NewLazySystemDLL("kernel32.dll")
	procUnbiasedTime  = modkernel32.NewProc("QueryUnbiasedInterruptTime")
	modrealtime       = windows.NewLazySystemDLL("api-ms-win-core-realtime-l1-1-1.dll")
	procInterruptTime = modrealtime.NewProc("QueryInterruptTime")
)

// Power broadcast types a DEVICE_NOTIFY_CALLBACK receives.
const (
	deviceNotifyCallback  = 2    // DEVICE_NOTIFY_CALLBACK
	pbtAPMSuspend         = 0x4  // PBT_APMSUSPEND
	pbtAPMResumeSuspend   = 0x7  // PBT_APMRESUMESUSPEND (user activity)
	pbtAPMResumeAutomatic = 0x12 // PBT_APMRESUMEAUTOMATIC (every wake)
)

// deviceNotifySubscribeParameters is DEVICE_NOTIFY_SUBSCRIBE_PARAMETERS.
type deviceNotifySubscribeParameters struct {
	callback uintptr
	context  uintptr
}

// The callback is made once per process: windows.NewCallback slots are a
// small, never-freed pool. It runs on a system thread and must not block,
// so it only does a non-blocking send to the subscriber its context names.
var (
	callbackOnce sync.Once
	callbackPtr  uintptr
	subscribers  sync.Map // uintptr id -> chan uint32
	nextID       atomic.Uintptr
)

func powerCallback(ctx, typ, _ uintptr) uintptr {
	if v, ok := subscribers.Load(ctx); ok {
		select {
		case v.(chan uint32) <- uint32(typ):
		default: // the reader is behind; the clock source still sees the sleep
		}
	}
	return 0 // ERROR_SUCCESS
}

// interruptClock is interrupt time (which counts sleep) minus unbiased
// interrupt time (which does not), in 100 ns units: time asleep since boot.
// Go's monotonic clock counts sleep on Windows, so Go's own clocks cannot
// tell this.
type interruptClock struct{}

func (interruptClock) Asleep() (time.Duration, error) {
	var biased, unbiased uint64
	if err := procInterruptTime.Find(); err != nil {
		return 0, fmt.Errorf("finding QueryInterruptTime: %w", err)
	}
	procInterruptTime.Call(uintptr(unsafe.Pointer(&biased)))
	if r, _, err := procUnbiasedTime.Call(uintptr(unsafe.Pointer(&unbiased))); r == 0 {
		return 0, fmt.Errorf("QueryUnbiasedInterruptTime: %w", err)
	}
	return time.Duration(biased-unbiased) * 100, nil
}

func osClock() SleepClock {
	if procInterruptTime.Find() != nil || procUnbiasedTime.Find() != nil {
		return nil
	}
	return interruptClock{}
}

func osSources(opts Options) []source {
	if procRegister.Find() != nil {
		return nil
	}
	return []source{powrprofSource(opts)}
}

// powrprofSource receives suspend and resume through
// PowerRegisterSuspendResumeNotification: no window, no message loop.
func powrprofSource(opts Options) source {
	return func(ctx context.Context, emit func(Event)) {
		callbackOnce.Do(func() { callbackPtr = windows.NewCallback(powerCallback) })
		id := nextID.Add(1)
		ch := make(chan uint32, 8)
		subscribers.Store(id, ch)
		defer subscribers.Delete(id)

		params := &deviceNotifySubscribeParameters{callback: callbackPtr, context: id}
		var handle uintptr
		r, _, _ := procRegister.Call(deviceNotifyCallback, uintptr(unsafe.Pointer(params)), uintptr(unsafe.Pointer(&handle)))
		if r != 0 {
			opts.Log.Warn("power: PowerRegisterSuspendResumeNotification failed", "err", windows.Errno(r))
			return
		}
		defer func() {
			procUnregister.Call(handle)
			runtime.KeepAlive(params) // Windows holds it until unregistered
		}()

		clock := opts.Clock
		if clock == nil {
			clock = osClock()
		}
		var before time.Duration
		var haveBefore bool
		for {
			select {
			case <-ctx.Done():
				return
			case typ := <-ch:
				e := Event{At: opts.Now(), Source: "powrprof"}
				switch typ {
				case pbtAPMSuspend:
					e.Kind = Suspend
					if clock != nil {
						b, err := clock.Asleep()
						before, haveBefore = b, err == nil
					}
				case pbtAPMResumeAutomatic, pbtAPMResumeSuspend:
					// Both arrive on a user-attended wake; the merge drops
					// the second as a repeat.
					e.Kind = Resume
					if clock != nil && haveBefore {
						if a, err := clock.Asleep(); err == nil && a > before {
							e.Slept = a - before
						}
					}
					haveBefore = false
				default:
					continue
				}
				emit(e)
			}
		}
	}
}
