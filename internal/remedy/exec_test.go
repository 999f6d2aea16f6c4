package remedy

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
)

func TestTailBuffer(t *testing.T) {
	for _, sizes := range [][]int{{3}, {10}, {11}, {4, 4, 4}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {25, 2}, {9, 9, 9, 9}} {
		tb := &tailBuffer{max: 10}
		var all []byte
		c := byte('a')
		for _, n := range sizes {
			p := make([]byte, n)
			for i := range p {
				p[i] = c
				c++
				if c > 'z' {
					c = 'a'
				}
			}
			all = append(all, p...)
			if w, err := tb.Write(p); w != n || err != nil {
				t.Fatalf("Write = %d, %v", w, err)
			}
			if len(tb.b) > 2*tb.max || cap(tb.b) > 4*tb.max {
				t.Fatalf("buffer grew to %d bytes (capacity %d)", len(tb.b), cap(tb.b))
			}
		}
		want := all[max(0, len(all)-10):]
		if got := tb.Bytes(); !bytes.Equal(got, want) {
			t.Errorf("writes %v: kept %q, want %q", sizes, got, want)
		}
	}
}

// TestPromptTimeoutBoundsElevated: an elevation prompt nobody answers is
// given up on at PromptTimeout, and the error says so.
func TestPromptTimeoutBoundsElevated(t *testing.T) {
	o := Options{GOOS: "linux", Adapter: "tun0", PromptTimeout: 50 * time.Millisecond,
		NetworkManager: func(context.Context) bool { return false }}
	o.Elevated = func(ctx context.Context, argv []string) ([]byte, error) {
		<-ctx.Done() // the prompt is never answered
		return nil, errors.New("pkexec: killed")
	}
	_, err := New(o).Do(context.Background(), Request{Action: diagnose.ResetAdapter, Finding: finding(diagnose.ResetAdapter), Confirmed: true})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "gave up after 50ms") {
		t.Fatalf("Do = %v, want a timeout naming PromptTimeout", err)
	}
}

// BenchmarkTailBuffer writes 1 MiB in pipe-sized chunks, as a chatty
// command would: memory stays within 2*MaxOutput whatever the volume.
func BenchmarkTailBuffer(b *testing.B) {
	chunk := bytes.Repeat([]byte("x"), 4096)
	b.ReportAllocs()
	b.SetBytes(1 << 20)
	for b.Loop() {
		tb := &tailBuffer{max: MaxOutput}
		for range (1 << 20) / len(chunk) {
			tb.Write(chunk)
		}
		if len(tb.Bytes()) != MaxOutput {
			b.Fatal("tail lost")
		}
	}
}
