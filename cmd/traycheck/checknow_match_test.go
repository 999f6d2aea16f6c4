package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/instance"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// recordingLoop stands in for the watch loop: it records the check-now
// sources it is asked for, so a test can deliver reports in any order.
type recordingLoop struct{ sources chan string }

func newRecordingLoop() *recordingLoop { return &recordingLoop{sources: make(chan string, 64)} }

func (l *recordingLoop) CheckNow(source string)    { l.sources <- source }
func (l *recordingLoop) Act(monitor.Request) error { return nil }

// next returns the source of the next CheckNow; the forwarder calls CheckNow
// after registering the request, so once it is seen the request is waiting.
func (l *recordingLoop) next(t *testing.T) string {
	t.Helper()
	select {
	case s := <-l.sources:
		return s
	case <-time.After(time.Minute):
		t.Fatal("the forwarder never asked the loop for a check")
	}
	return ""
}

func (l *recordingLoop) none(t *testing.T) {
	t.Helper()
	select {
	case s := <-l.sources:
		t.Fatalf("unexpected CheckNow(%q)", s)
	default:
	}
}

// askCheckNow sends a check-now to f on its own goroutine.
func askCheckNow(f *forwarder, l *recordingLoop, t *testing.T) (string, <-chan instance.Reply) {
	t.Helper()
	done := make(chan instance.Reply, 1)
	go func() { done <- f.handle(context.Background(), instance.Message{Op: instance.OpCheckNow}) }()
	return l.next(t), done
}

func waiting(f *forwarder) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.checks)
}

func reply(t *testing.T, done <-chan instance.Reply) instance.Reply {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(time.Minute):
		t.Fatal("check-now got no reply")
	}
	return instance.Reply{}
}

func manual(source string, at time.Time) monitor.Report {
	return monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Manual, Source: source}, At: at}
}

// TestCheckNowMatchedByItsTrigger: the check that took the request answers
// it even when its clock reads earlier than the request (the loop read the
// time just before the request arrived); the old time comparison let that
// check consume the trigger and left the request to time out.
func TestCheckNowMatchedByItsTrigger(t *testing.T) {
	l := newRecordingLoop()
	f := newForwarder()
	f.mon = l
	src, done := askCheckNow(f, l, t)
	if src != "cli#1" {
		t.Fatalf("source %q, want cli#1", src)
	}
	// A check that was already running ends: not an answer, and the
	// request asks again (a no-op for the loop while its trigger waits).
	f.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Interval, Source: "timer"}, At: time.Now()})
	if waiting(f) != 1 {
		t.Fatal("an interval check that may predate the request answered it")
	}
	if again := l.next(t); again != "cli#1" {
		t.Fatalf("asked again as %q", again)
	}
	f.Result(manual(src, time.Now().Add(-time.Hour)))
	if r := reply(t, done); !r.OK {
		t.Fatalf("reply %+v", r)
	}
	l.none(t)
}

// TestCheckNowMergedIntoAnAction: the loop merged the request into an
// action's re-check (reported under the action's source), so the request
// asks again and is answered by the check that follows.
func TestCheckNowMergedIntoAnAction(t *testing.T) {
	l := newRecordingLoop()
	f := newForwarder()
	f.mon = l
	src, done := askCheckNow(f, l, t)
	f.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Action, Source: "tray"}, At: time.Now(),
		Action: &monitor.ActionOutcome{Request: monitor.Request{Source: "tray"}}})
	if waiting(f) != 1 {
		t.Fatal("an action's check answered a check-now")
	}
	if again := l.next(t); again != src {
		t.Fatalf("asked again as %q, want %q", again, src)
	}
	f.Result(manual(src, time.Now()))
	if r := reply(t, done); !r.OK {
		t.Fatalf("reply %+v", r)
	}
}

// TestCheckNowOrder: a later request's check answers earlier requests too;
// an earlier request's check does not answer later ones; someone else's
// manual check (the tray's) answers none.
func TestCheckNowOrder(t *testing.T) {
	l := newRecordingLoop()
	f := newForwarder()
	f.mon = l
	s1, d1 := askCheckNow(f, l, t)
	s2, d2 := askCheckNow(f, l, t)
	s3, d3 := askCheckNow(f, l, t)
	if s1 != "cli#1" || s2 != "cli#2" || s3 != "cli#3" {
		t.Fatalf("sources %q %q %q", s1, s2, s3)
	}
	f.Result(manual("tray", time.Now()))
	if waiting(f) != 3 {
		t.Fatal("the tray's check answered a check-now")
	}
	if again := l.next(t); again != "cli#3" {
		t.Fatalf("asked again as %q, want the newest request cli#3", again)
	}
	f.Result(manual(s2, time.Now()))
	reply(t, d1)
	reply(t, d2)
	if waiting(f) != 1 {
		t.Fatalf("%d requests wait, want request 3 only", waiting(f))
	}
	l.next(t) // request 3 asks again
	f.Result(manual(s3, time.Now()))
	reply(t, d3)
	if waiting(f) != 0 {
		t.Fatal("requests left waiting")
	}
}

// TestCheckNowTimesOutAndForgets: a request nobody answers gets the timeout
// reply and is forgotten, so it cannot pile up.
func TestCheckNowTimesOutAndForgets(t *testing.T) {
	l := newRecordingLoop()
	f := newForwarder()
	f.mon = l
	f.wait = time.Millisecond
	r := f.handle(context.Background(), instance.Message{Op: instance.OpCheckNow})
	if r.OK || !strings.Contains(r.Error, "did not finish in time") {
		t.Fatalf("reply %+v, want the timeout", r)
	}
	if waiting(f) != 0 {
		t.Fatal("a timed-out request still waits")
	}
}

// frozenClock is a loop clock stuck in the past: every check's time is
// before any request's wall-clock time, the race's outcome made permanent.
type frozenClock struct{}

func (frozenClock) Now() time.Time                  { return time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC) }
func (frozenClock) TimerAt(time.Time) monitor.Timer { return neverTimer{} }

type neverTimer struct{}

func (neverTimer) C() <-chan time.Time { return nil }
func (neverTimer) Stop() bool          { return true }

// TestCheckNowWithTheRealLoop drives the real watch loop and prober with a
// clock that reads earlier than the request, and asks for JSON.
func TestCheckNowWithTheRealLoop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	port := freeUDPPort(t)
	res := vpnport.Resource{Kind: vpnport.UDP, Port: port}
	e, _, _ := testEnv()
	fw := newForwarder()
	prober := vpnport.New()
	defer prober.Close()
	m, err := monitor.New(monitor.Options{Config: &config.Config{Source: "test", Ports: []vpnport.Resource{res}, Interval: time.Hour},
		Prober: prober, Sinks: []monitor.Sink{fw}, Clock: frozenClock{}, Log: e.log})
	if err != nil {
		t.Fatal(err)
	}
	fw.Attach(m)
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() { cancel(); <-done }()

	r := fw.handle(ctx, instance.Message{Op: instance.OpCheckNow, JSON: true})
	if !r.OK {
		t.Fatalf("reply %+v", r)
	}
	var doc struct {
		CheckedAt time.Time `json:"checked_at"`
		Findings  []struct {
			Resource struct {
				Kind string `json:"kind"`
				Port int    `json:"port"`
			} `json:"resource"`
			Cause string `json:"cause"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.Message), &doc); err != nil {
		t.Fatalf("reply is not a check document: %v\n%s", err, r.Message)
	}
	if !doc.CheckedAt.Equal(frozenClock{}.Now()) || len(doc.Findings) != 1 || doc.Findings[0].Resource.Kind != "udp" ||
		doc.Findings[0].Resource.Port != int(port) || doc.Findings[0].Cause != "free" {
		t.Errorf("document %+v, want the loop's check of udp/%d (free)", doc, port)
	}
}
