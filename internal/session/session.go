// Package session is the running instance's side of the way back over
// IPC: a later launch's check-now and forwarded action (`traycheck action`,
// a Windows toast's URI) are answered with the loop's own answer, the check
// it made and what became of the action, as a typed Answer. Actions count
// only with a token the offer ledger accepts; package instance only carries
// the frames.
package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/instance"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/offer"
	"github.com/traycheck/traycheck/internal/remedy"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// Answer is the body of the running instance's reply to check-now and
// action: the check it made, and what became of the action. The client
// prints it with the code `traycheck check` prints with.
type Answer struct {
	CheckedAt time.Time          `json:"checked_at"`
	Findings  []diagnose.Finding `json:"findings"`
	// CheckError is set when the probe failed ("cannot check").
	CheckError string        `json:"check_error,omitempty"`
	Action     *ActionAnswer `json:"action,omitempty"`
	// Handed says the action went to the tray as a note's answer; no check
	// was made for it here.
	Handed bool `json:"handed,omitempty"`
}

// ActionAnswer is what became of a forwarded action.
type ActionAnswer struct {
	Action  diagnose.Action `json:"action"`
	Message string          `json:"message,omitempty"`
	Error   string          `json:"error,omitempty"`
	// Confirm is the question to answer next, with its offer.
	Confirm *Offered `json:"confirm,omitempty"`
	// Again is the resource's offer made anew after a failure (the spent
	// token cannot be used twice).
	Again *Offered `json:"again,omitempty"`
}

// Offered is an offer of the ledger as the client needs it to print the
// command that answers it.
type Offered struct {
	Prompt  string            `json:"prompt,omitempty"`
	Key     string            `json:"key,omitempty"` // the confirm key; "" for a plain offer
	Actions []diagnose.Action `json:"actions,omitempty"`
	PID     int               `json:"pid,omitempty"`
	Token   string            `json:"token"`
}

// replyWait bounds how long a forwarded request waits for its check, within
// the client's own limit.
const replyWait = instance.SendTimeout - 5*time.Second

// Server answers the requests later launches forward to this instance
// (check-now, an action with a token) with the loop's own answer.
type Server struct {
	Loop   Loop
	Offers *offer.Ledger
	// Notes, when set (the tray), takes actions instead: they are answers
	// to notes (a Windows toast's URI), vetted and shown like a click.
	Notes func(notify.Response) error
}

// Loop is the part of *monitor.Monitor the server asks.
type Loop interface {
	Check(ctx context.Context, origin monitor.Origin) (monitor.Report, error)
	Do(ctx context.Context, req monitor.Request) (monitor.Report, error)
}

// Handle is the instance endpoint's handler: check-now is answered with a
// check that starts now; an action, once the ledger accepts its token, with
// the re-check that follows it (or the question it must ask first).
func (s *Server) Handle(ctx context.Context, m instance.Message) instance.Reply {
	ctx, cancel := context.WithTimeout(ctx, replyWait)
	defer cancel()
	if m.Op == instance.OpCheckNow {
		r, err := s.Loop.Check(ctx, monitor.OriginIPC)
		return s.reply(r, err)
	}
	if s.Notes != nil {
		if err := s.Notes(notify.Response{Tag: m.Resource, Action: m.Action, Token: m.Token}); err != nil {
			return instance.Reply{Error: "rejected: " + err.Error()}
		}
		body, _ := json.Marshal(Answer{Handed: true, Action: &ActionAnswer{
			Message: "traycheck took the " + m.Action + " answer for " + m.Resource + "; see the tray"}})
		return instance.Reply{Body: body}
	}
	rs, err := vpnport.ParseTarget(m.Resource)
	if err != nil || len(rs) != 1 {
		return instance.Reply{Error: fmt.Sprintf("an action needs one resource (tcp/N, udp/N or a device), got %q", m.Resource)}
	}
	ans, err := s.Offers.Redeem(m.Token, rs[0], m.Action, m.PID)
	if err != nil {
		return instance.Reply{Error: "rejected: the token is unknown, expired or already used, or was not offered for this answer"}
	}
	if ans.Cancelled {
		return instance.Reply{Error: "cancelled: nothing was done"}
	}
	r, err := s.Loop.Do(ctx, monitor.Request{Request: remedy.Request{Action: ans.Action, PID: ans.PID, Confirmed: ans.Confirmed},
		Resource: ans.Resource, Origin: monitor.OriginIPC})
	return s.reply(r, err)
}

// reply turns the loop's answer into the reply's body.
func (s *Server) reply(r monitor.Report, err error) instance.Reply {
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = errors.New("the check did not finish in time; traycheck will show its result where it runs (tray, notification or console) and in its log")
		}
		return instance.Reply{Error: err.Error()}
	}
	a := Answer{CheckedAt: r.At.UTC().Truncate(time.Second), Findings: r.Findings}
	if a.Findings == nil {
		a.Findings = []diagnose.Finding{}
	}
	if r.Err != nil {
		a.CheckError = r.Err.Error()
	}
	if o := r.Action; o != nil {
		aa := &ActionAnswer{Action: o.Request.Action, Message: o.Result.Message}
		switch {
		case o.Confirm != nil:
			c := o.Confirm
			aa.Confirm = &Offered{Prompt: c.Prompt(), Key: c.Action.ConfirmKey(), PID: c.PID,
				Token: s.Offers.Issue(offer.Offer{Resource: c.Resource, Confirms: c.Action, PID: c.PID})}
		case o.Err != nil:
			aa.Error = o.Err.Error()
			for _, f := range r.Findings {
				if f.Resource == o.Request.Resource && f.NeedsAttention() && len(f.Actions) > 0 {
					aa.Again = s.offer(f)
				}
			}
		}
		a.Action = aa
	}
	body, err := json.Marshal(a)
	if err != nil {
		return instance.Reply{Error: err.Error()}
	}
	return instance.Reply{Body: body}
}

// offer issues (or finds, when the console already printed it) the plain
// offer of f's actions.
func (s *Server) offer(f diagnose.Finding) *Offered {
	h, _ := f.ActHolder()
	tok := s.Offers.Issue(offer.Offer{Resource: f.Resource, Actions: f.Actions, PID: h.PID})
	return &Offered{Actions: f.Actions, PID: h.PID, Token: tok}
}
