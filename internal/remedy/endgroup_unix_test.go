//go:build !windows

package remedy

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// TestEndProcessEndsTheGroup: three processes hold one socket together.
// end-process asks once, naming all three, and then ends all three, the
// one that ignores SIGTERM included; none is touched before the answer.
func TestEndProcessEndsTheGroup(t *testing.T) {
	a, b, c := startHelper(t, "plain"), startHelper(t, "plain"), startHelper(t, "ignore-term")
	f := endFinding(a.holder, b.holder, c.holder)
	f.Together = [][]int{{a.holder.PID, b.holder.PID, c.holder.PID}}
	r := New(Options{Grace: 300 * time.Millisecond})
	_, err := r.Do(context.Background(), Request{Action: diagnose.EndProcess, Finding: f, PID: b.holder.PID})
	var ce *ConfirmationError
	if !errors.As(err, &ce) {
		t.Fatalf("Do without confirmation = %v, want a question", err)
	}
	for _, h := range []*helper{a, b, c} {
		if !strings.Contains(ce.Prompt, "PID "+strconv.Itoa(h.holder.PID)+",") {
			t.Errorf("prompt %q does not name PID %d", ce.Prompt, h.holder.PID)
		}
		h.assertAlive(t)
	}
	if !strings.Contains(ce.Prompt, "all 3") {
		t.Errorf("prompt %q does not say all 3 are ended", ce.Prompt)
	}
	// Without a PID, one group is one holder to end.
	res, err := r.Do(context.Background(), Request{Action: diagnose.EndProcess, Finding: f, Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if a.exitSignal(t) != syscall.SIGTERM || b.exitSignal(t) != syscall.SIGTERM || c.exitSignal(t) != syscall.SIGKILL {
		t.Error("want the two plain helpers ended by SIGTERM and the third killed")
	}
	if !strings.HasPrefix(res.Message, "killed remedy.test (PID "+strconv.Itoa(c.holder.PID)+")") {
		t.Errorf("message %q", res.Message)
	}
}

// TestEndProcessGroupRefusals: a group with a member that must never be
// ended is refused as a whole, and a reused PID in it stops everything
// before any signal.
func TestEndProcessGroupRefusals(t *testing.T) {
	a := startHelper(t, "plain")
	self := vpnport.Holder{PID: os.Getpid(), Name: "traycheck", Started: time.Now()}
	f := endFinding(a.holder, self)
	f.Together = [][]int{{a.holder.PID, self.PID}}
	r := New(Options{OpenProcess: func(pid int) (Process, error) {
		t.Fatalf("process %d opened", pid)
		return nil, nil
	}})
	if _, err := r.Do(context.Background(), Request{Action: diagnose.EndProcess, Finding: f, PID: a.holder.PID, Confirmed: true}); !errors.Is(err, ErrRefused) {
		t.Fatalf("group with traycheck itself: %v, want ErrRefused", err)
	}
	b := startHelper(t, "plain")
	stale := b.holder
	stale.Started = stale.Started.Add(-time.Hour)
	f = endFinding(a.holder, stale)
	f.Together = [][]int{{a.holder.PID, stale.PID}}
	if _, err := New(Options{}).Do(context.Background(), Request{Action: diagnose.EndProcess, Finding: f, Confirmed: true}); !errors.Is(err, ErrRefused) {
		t.Fatalf("group with a reused PID: %v, want ErrRefused", err)
	}
	a.assertAlive(t)
	b.assertAlive(t)
}
