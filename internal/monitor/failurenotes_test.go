package monitor

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/offer"
	"github.com/traycheck/traycheck/internal/trigger"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// screen records what a notifier shows, by tag: the note on screen for each
// tag, how often a tag was updated, and withdrawals.
type screen struct {
	mu        sync.Mutex
	notes     map[string]notify.Note
	shows     map[string]int
	withdrawn []string
	changed   chan struct{}
}

func newScreen() *screen {
	return &screen{notes: map[string]notify.Note{}, shows: map[string]int{}, changed: make(chan struct{}, 64)}
}

func (s *screen) Show(_ context.Context, n notify.Note) error {
	s.mu.Lock()
	s.notes[n.Tag] = n
	s.shows[n.Tag]++
	s.mu.Unlock()
	s.changed <- struct{}{}
	return nil
}

func (s *screen) Withdraw(_ context.Context, tag string) error {
	s.mu.Lock()
	delete(s.notes, tag)
	s.withdrawn = append(s.withdrawn, tag)
	s.mu.Unlock()
	s.changed <- struct{}{}
	return nil
}

func (s *screen) Responses() <-chan notify.Response { return nil }
func (s *screen) Close() error                      { return nil }

func (s *screen) wait(t *testing.T) {
	t.Helper()
	select {
	case <-s.changed:
	case <-time.After(10 * time.Second):
		t.Fatal("the screen did not change within 10s")
	}
}

func failedReport(line string, f diagnose.Finding) Report {
	ev := trigger.Event{Kind: trigger.Failed, Source: "journald", Connection: "work", Program: "openvpn", Code: "EADDRINUSE", Line: line}
	return Report{Trigger: Trigger{Kind: Failure}, Failures: []FailureOutcome{{Event: ev, Findings: []diagnose.Finding{f}}}}
}

func TestFailureNoteNamesConnectionQuotesErrorUpdatesAndWithdraws(t *testing.T) {
	scr := newScreen()
	s := NewFailureNotes(scr, offer.New(0), nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)

	held := diagnose.Finding{Resource: udp1194, Cause: diagnose.OtherApp,
		Holders: []vpnport.Holder{{PID: 4711, Name: "socat"}}, Actions: []diagnose.Action{diagnose.Retry, diagnose.EndProcess},
		Message: "udp/1194 is held by socat (PID 4711)."}
	line := "TCP/UDP: Socket bind failed on local address [AF_INET][undef]:1194: Address already in use (errno=98)"
	for i := 0; i < 3; i++ { // a client retrying
		s.Result(failedReport(line, held))
		scr.wait(t)
	}
	scr.mu.Lock()
	n, shows := scr.notes["udp/1194"], scr.shows["udp/1194"]
	scr.mu.Unlock()
	if len(scr.notes) != 1 || shows != 3 {
		t.Fatalf("%d notes, udp/1194 shown %d times: want one note updated in place", len(scr.notes), shows)
	}
	if n.Title != "VPN 'work' failed (EADDRINUSE): udp/1194 is held by socat (PID 4711)" {
		t.Errorf("title %q", n.Title)
	}
	if !strings.Contains(n.Body, "“"+line+"”") || n.Token == "" || len(n.Buttons) != 2 {
		t.Errorf("note %+v: want the line quoted and the finding's buttons", n)
	}
	if !n.Critical || n.Kind != notify.KindConflict {
		t.Errorf("note critical=%v kind=%v: a VPN failing now is the one critical conflict note", n.Critical, n.Kind)
	}

	// Not a conflict: logged, never shown.
	free := diagnose.Finding{Resource: tcp443, Cause: diagnose.Free}
	s.Result(failedReport("AUTH: Received control message: AUTH_FAILED", free))

	ok := Report{Failures: []FailureOutcome{{Event: trigger.Event{Kind: trigger.Connected, Connection: "work"}}}}
	s.Result(ok)
	scr.wait(t)
	scr.mu.Lock()
	defer scr.mu.Unlock()
	if len(scr.notes) != 0 || len(scr.withdrawn) != 1 || scr.shows["tcp/443"] != 0 {
		t.Fatalf("notes %v, withdrawn %v: want the note withdrawn and nothing shown for the auth failure", scr.notes, scr.withdrawn)
	}
}

// stackingScreen cannot update a note in place (no Withdraw), as Windows
// toasts through go-toast.
type stackingScreen struct{ s *screen }

func (x stackingScreen) Show(ctx context.Context, n notify.Note) error { return x.s.Show(ctx, n) }
func (x stackingScreen) Responses() <-chan notify.Response             { return nil }
func (x stackingScreen) Close() error                                  { return nil }

// Where a note cannot be updated in place, a retrying client's unchanged
// failure is not shown again: one toast, not a stack.
func TestFailureNoteDoesNotStackWithoutInPlaceUpdates(t *testing.T) {
	scr := newScreen()
	s := NewFailureNotes(stackingScreen{scr}, nil, nil)
	held := diagnose.Finding{Resource: udp1194, Cause: diagnose.OtherApp, Holders: []vpnport.Holder{{PID: 4711, Name: "socat"}}}
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		s.handle(ctx, failedReport("bind failed "+string(rune('a'+i)), held))
	}
	other := held
	other.Holders = []vpnport.Holder{{PID: 99, Name: "nc"}}
	s.handle(ctx, failedReport("bind failed", other))
	if got := scr.shows["udp/1194"]; got != 2 {
		t.Fatalf("shown %d times, want 2 (the first failure, then the new holder)", got)
	}
}

// Where a note cannot be withdrawn, the note that replaces it says what
// ended the conflict: the connection back, or only the resource free (the
// VPN may still be down, so not "back").
func TestFailureNoteReplacementSaysWhatEnded(t *testing.T) {
	held := diagnose.Finding{Resource: udp1194, Cause: diagnose.OtherApp, Holders: []vpnport.Holder{{PID: 4711, Name: "socat"}}}
	ctx := context.Background()
	for _, c := range []struct {
		end  Report
		want string
	}{
		{Report{Findings: []diagnose.Finding{{Resource: udp1194, Cause: diagnose.Free}}}, "VPN 'work': udp/1194 is no longer in conflict"},
		{Report{Failures: []FailureOutcome{{Event: trigger.Event{Kind: trigger.Connected, Connection: "work"}}}}, "VPN 'work' is back"},
	} {
		scr := newScreen()
		s := NewFailureNotes(stackingScreen{scr}, nil, nil)
		s.handle(ctx, failedReport("bind failed", held))
		s.handle(ctx, c.end)
		if got := scr.notes["udp/1194"].Title; got != c.want || scr.shows["udp/1194"] != 2 {
			t.Errorf("replacement %q after %d shows, want %q", got, scr.shows["udp/1194"], c.want)
		}
	}
}
