package monitor

import (
	"runtime"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/power"
)

// cycle sends one suspend/resume pair and lets the settle check run.
func (h *harness) cycle(tb testing.TB) Report {
	tb.Helper()
	h.power <- power.Event{Kind: power.Suspend, Source: "logind"}
	h.power <- power.Event{Kind: power.Resume, Source: "logind"}
	h.waitArm(time.Second) // the resume is handled, its settle timer armed
	h.clock.Advance(time.Second)
	select {
	case r := <-h.sink.reports:
		return r
	case <-time.After(10 * time.Second):
		tb.Fatal("no report within 10s")
	}
	return Report{}
}

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestSoakSuspendResume runs 10,000 suspend/resume cycles through the loop:
// each must end in a resume check, and neither goroutines nor the heap may
// grow with the number of cycles.
func TestSoakSuspendResume(t *testing.T) {
	if testing.Short() {
		t.Skip("soak test; run without -short")
	}
	h := start(t, nil)
	h.sink.next(t)
	// Warm up, so lazily allocated state exists before the baseline.
	for range 100 {
		h.cycle(t)
	}
	goroutines := runtime.NumGoroutine()
	heap := heapAfterGC()
	const cycles = 10000
	for i := range cycles {
		if r := h.cycle(t); r.Trigger.Kind != Resume {
			t.Fatalf("cycle %d: trigger %v, want resume", i, r.Trigger.Kind)
		}
	}
	if g := runtime.NumGoroutine(); g > goroutines {
		t.Errorf("goroutines grew from %d to %d over %d cycles", goroutines, g, cycles)
	}
	after := heapAfterGC()
	t.Logf("heap after warm-up %d B, after %d cycles %d B", heap, cycles, after)
	// Anything kept per cycle would be ≥ 10,000 × tens of bytes; 256 KiB
	// leaves room for the runtime's own noise and nothing else.
	if after > heap+256<<10 {
		t.Errorf("heap grew from %d to %d B over %d cycles", heap, after, cycles)
	}
	h.stop()
	if g := runtime.NumGoroutine(); g > goroutines {
		t.Errorf("after Run returned: %d goroutines, more than the %d while running", g, goroutines)
	}
}

// BenchmarkResumeCycle is the loop's cost for one suspend/resume pair and its
// check (with a free-standing fake probe, so this is the loop's own work).
func BenchmarkResumeCycle(b *testing.B) {
	h := start(b, nil)
	defer h.stop()
	<-h.sink.reports
	b.ReportAllocs()
	for b.Loop() {
		h.cycle(b)
	}
}
