package tray

import (
	"testing"

	"github.com/traycheck/traycheck/internal/monitor"
)

// BenchmarkResultAllClear is the cost a quiet interval check adds on the
// monitor's goroutine (Sink.Result must not block the loop).
func BenchmarkResultAllClear(b *testing.B) {
	c := NewController(Options{})
	r := monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Interval}, Findings: allClear()}
	b.ReportAllocs()
	for b.Loop() {
		c.Result(r)
		c.mu.Lock()
		c.queue = c.queue[:0] // Run would drain it
		c.mu.Unlock()
	}
}

// BenchmarkMenu is the view → menu step the drawing goroutine runs on each
// change, with a conflict submenu.
func BenchmarkMenu(b *testing.B) {
	v := View{HaveResult: true, Findings: append(allClear(), held)}
	b.ReportAllocs()
	for b.Loop() {
		if len(Menu(v)) == 0 {
			b.Fatal("empty menu")
		}
	}
}
