package session

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/instance"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/offer"
	"github.com/traycheck/traycheck/internal/remedy"
	"github.com/traycheck/traycheck/internal/vpnport"
)

var udp1194 = vpnport.Resource{Kind: vpnport.UDP, Port: 1194}

var held = diagnose.Finding{Resource: udp1194, Cause: diagnose.OtherApp,
	Holders: []vpnport.Holder{{PID: 4242, Name: "nc"}}, Actions: []diagnose.Action{diagnose.Retry, diagnose.EndProcess}}

// loop answers like the monitor: Check with a check, Do with the outcome
// outcome makes of the request.
type loop struct {
	asked   []monitor.Request
	outcome func(monitor.Request) *monitor.ActionOutcome
}

func (l *loop) Check(context.Context, monitor.Origin) (monitor.Report, error) {
	return monitor.Report{At: time.Unix(100, 0), Findings: []diagnose.Finding{held}}, nil
}

func (l *loop) Do(_ context.Context, r monitor.Request) (monitor.Report, error) {
	l.asked = append(l.asked, r)
	return monitor.Report{At: time.Unix(100, 0), Findings: []diagnose.Finding{held}, Action: l.outcome(r)}, nil
}

func decode(t *testing.T, rep instance.Reply) Answer {
	t.Helper()
	if rep.Error != "" {
		t.Fatalf("reply error %q", rep.Error)
	}
	var a Answer
	if err := json.Unmarshal(rep.Body, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestCheckNowAnswersWithTheCheck(t *testing.T) {
	s := &Server{Loop: &loop{}, Offers: offer.New(0)}
	a := decode(t, s.Handle(context.Background(), instance.Message{Op: instance.OpCheckNow}))
	if len(a.Findings) != 1 || a.Findings[0].Cause != diagnose.OtherApp || !a.CheckedAt.Equal(time.Unix(100, 0)) || a.Action != nil {
		t.Fatalf("answer %+v", a)
	}
}

func TestActionNeedsTheLedgersWord(t *testing.T) {
	ctx := context.Background()
	l := &loop{outcome: func(r monitor.Request) *monitor.ActionOutcome {
		o := &monitor.ActionOutcome{Request: r}
		if !r.Confirmed {
			o.Confirm = &remedy.Confirmation{Action: r.Action, Resource: r.Resource, PID: 4242, Question: "End nc (PID 4242, /bin/nc)?"}
		}
		return o
	}}
	offers := offer.New(0)
	s := &Server{Loop: l, Offers: offers}
	forged := instance.Message{Op: instance.OpAction, Action: "end-process", Resource: "udp/1194", Token: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}
	if rep := s.Handle(ctx, forged); !strings.HasPrefix(rep.Error, "rejected") || len(l.asked) != 0 {
		t.Fatalf("forged token: %+v, loop asked %d times", rep, len(l.asked))
	}
	tok := offers.Issue(offer.Offer{Resource: udp1194, Actions: held.Actions, PID: 4242})
	a := decode(t, s.Handle(ctx, instance.Message{Op: instance.OpAction, Action: "end-process", Resource: "udp/1194", Token: tok}))
	c := a.Action.Confirm
	if c == nil || c.PID != 4242 || c.Key != diagnose.EndProcess.ConfirmKey() || l.asked[0].Confirmed || l.asked[0].PID != 4242 {
		t.Fatalf("first answer %+v, asked %+v", a.Action, l.asked)
	}
	// The confirmation's token answers its question for its PID only.
	other := instance.Message{Op: instance.OpAction, Action: c.Key, Resource: "udp/1194", PID: 1, Token: c.Token}
	if rep := s.Handle(ctx, other); !strings.HasPrefix(rep.Error, "rejected") {
		t.Fatalf("confirmation for another PID: %+v", rep)
	}
	other.PID = 4242
	if a := decode(t, s.Handle(ctx, other)); a.Action.Confirm != nil || !l.asked[1].Confirmed || l.asked[1].PID != 4242 {
		t.Fatalf("confirmed: %+v, asked %+v", a.Action, l.asked)
	}
}

func TestAFailureOffersAgain(t *testing.T) {
	offers := offer.New(0)
	s := &Server{Loop: &loop{outcome: func(r monitor.Request) *monitor.ActionOutcome {
		return &monitor.ActionOutcome{Request: r, Err: errors.New("end-process: refused")}
	}}, Offers: offers}
	tok := offers.Issue(offer.Offer{Resource: udp1194, Actions: held.Actions, PID: 4242})
	a := decode(t, s.Handle(context.Background(), instance.Message{Op: instance.OpAction, Action: "retry", Resource: "udp/1194", Token: tok}))
	if a.Action.Error == "" || a.Action.Again == nil || a.Action.Again.Token == tok || a.Action.Again.PID != 4242 {
		t.Fatalf("failure answer %+v", a.Action)
	}
}

func TestTrayTakesForwardedAnswers(t *testing.T) {
	var got notify.Response
	s := &Server{Loop: &loop{}, Offers: offer.New(0), Notes: func(r notify.Response) error { got = r; return nil }}
	m := instance.Message{Op: instance.OpAction, Action: "retry", Resource: "udp/1194", Token: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}
	a := decode(t, s.Handle(context.Background(), m))
	if !a.Handed || got != (notify.Response{Tag: "udp/1194", Action: "retry", Token: m.Token}) {
		t.Fatalf("answer %+v, the tray got %+v", a, got)
	}
}
