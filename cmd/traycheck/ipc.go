package main

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

// answer is the body of the running instance's reply to check-now and
// action: the check it made, and what became of the action. The client
// prints it with the code `traycheck check` prints with.
type answer struct {
	CheckedAt time.Time          `json:"checked_at"`
	Findings  []diagnose.Finding `json:"findings"`
	// CheckError is set when the probe failed ("cannot check").
	CheckError string        `json:"check_error,omitempty"`
	Action     *actionAnswer `json:"action,omitempty"`
	// Handed says the action went to the tray as a note's answer; no check
	// was made for it here.
	Handed bool `json:"handed,omitempty"`
}

// actionAnswer is what became of a forwarded action.
type actionAnswer struct {
	Action  diagnose.Action `json:"action"`
	Message string          `json:"message,omitempty"`
	Error   string          `json:"error,omitempty"`
	// Confirm is the question to answer next, with its offer.
	Confirm *offered `json:"confirm,omitempty"`
	// Again is the resource's offer made anew after a failure (the spent
	// token cannot be used twice).
	Again *offered `json:"again,omitempty"`
}

// offered is an offer of the ledger as the client needs it to print the
// command that answers it.
type offered struct {
	Prompt  string            `json:"prompt,omitempty"`
	Key     string            `json:"key,omitempty"` // the confirm key; "" for a plain offer
	Actions []diagnose.Action `json:"actions,omitempty"`
	PID     int               `json:"pid,omitempty"`
	Token   string            `json:"token"`
}

// replyWait bounds how long a forwarded request waits for its check, within
// the client's own limit.
const replyWait = instance.SendTimeout - 5*time.Second

// session answers the requests later launches forward to this instance
// (check-now, an action with a token) with the loop's own answer.
type session struct {
	mon    *monitor.Monitor
	offers *offer.Ledger
	// notes, when set (the tray), takes actions instead: they are answers
	// to notes (a Windows toast's URI), vetted and shown like a click.
	notes func(notify.Response) error
}

func (s *session) handle(ctx context.Context, m instance.Message) instance.Reply {
	ctx, cancel := context.WithTimeout(ctx, replyWait)
	defer cancel()
	if m.Op == instance.OpCheckNow {
		r, err := s.mon.Check(ctx, monitor.OriginIPC)
		return s.reply(r, err)
	}
	if s.notes != nil {
		if err := s.notes(notify.Response{Tag: m.Resource, Action: m.Action, Token: m.Token}); err != nil {
			return instance.Reply{Error: "rejected: " + err.Error()}
		}
		body, _ := json.Marshal(answer{Handed: true, Action: &actionAnswer{
			Message: "traycheck took the " + m.Action + " answer for " + m.Resource + "; see the tray"}})
		return instance.Reply{Body: body}
	}
	rs, err := vpnport.ParseTarget(m.Resource)
	if err != nil || len(rs) != 1 {
		return instance.Reply{Error: fmt.Sprintf("an action needs one resource (tcp/N, udp/N or a device), got %q", m.Resource)}
	}
	ans, err := s.offers.Redeem(m.Token, rs[0], m.Action, m.PID)
	if err != nil {
		return instance.Reply{Error: "rejected: the token is unknown, expired or already used, or was not offered for this answer"}
	}
	if ans.Cancelled {
		return instance.Reply{Error: "cancelled: nothing was done"}
	}
	r, err := s.mon.Do(ctx, monitor.Request{Request: remedy.Request{Action: ans.Action, PID: ans.PID, Confirmed: ans.Confirmed},
		Resource: ans.Resource, Origin: monitor.OriginIPC})
	return s.reply(r, err)
}

// reply turns the loop's answer into the reply's body.
func (s *session) reply(r monitor.Report, err error) instance.Reply {
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = errors.New("the check did not finish in time; traycheck will show its result where it runs (tray, notification or console) and in its log")
		}
		return instance.Reply{Error: err.Error()}
	}
	a := answer{CheckedAt: r.At.UTC().Truncate(time.Second), Findings: r.Findings}
	if a.Findings == nil {
		a.Findings = []diagnose.Finding{}
	}
	if r.Err != nil {
		a.CheckError = r.Err.Error()
	}
	if o := r.Action; o != nil {
		aa := &actionAnswer{Action: o.Request.Action, Message: o.Result.Message}
		switch {
		case o.Confirm != nil:
			c := o.Confirm
			aa.Confirm = &offered{Prompt: c.Prompt(), Key: c.Action.ConfirmKey(), PID: c.PID,
				Token: s.offers.Issue(offer.Offer{Resource: c.Resource, Confirms: c.Action, PID: c.PID})}
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
func (s *session) offer(f diagnose.Finding) *offered {
	h, _ := f.ActHolder()
	tok := s.offers.Issue(offer.Offer{Resource: f.Resource, Actions: f.Actions, PID: h.PID})
	return &offered{Actions: f.Actions, PID: h.PID, Token: tok}
}

// actionCommand is the command that answers an offer.
func actionCommand(key, resource string, pid int, token string) string {
	cmd := "traycheck action " + key + " --resource " + resource
	if pid > 0 {
		cmd += fmt.Sprintf(" --pid %d", pid)
	}
	return cmd + " --token " + token
}

// printAnswer prints the running instance's reply as `traycheck check`
// prints a check, after what became of the action; refused is the error
// for a refusal.
func printAnswer(e *env, asJSON bool, resource string, rep instance.Reply, refused func(error, ...string) error) error {
	if rep.Error != "" {
		return refused(fmt.Errorf("the running traycheck said: %s", rep.Error))
	}
	var a answer
	if err := json.Unmarshal(rep.Body, &a); err != nil {
		return probeError(fmt.Errorf("the running traycheck's answer: %w", err), "a traycheck of another version runs: restart it")
	}
	if aa := a.Action; aa != nil {
		switch {
		case aa.Confirm != nil:
			c := aa.Confirm
			fmt.Fprintf(e.stdout, "needs confirmation: %s\nto confirm, run: %s\n", c.Prompt, actionCommand(c.Key, resource, c.PID, c.Token))
			return nil
		case aa.Error != "":
			var hints []string
			if o := aa.Again; o != nil {
				hints = append(hints, "to try again, run: "+actionCommand("ACTION", resource, o.PID, o.Token)+" (ACTION: "+actionList(o.Actions)+")")
			}
			return refused(fmt.Errorf("the running traycheck said: %s failed: %s", aa.Action, aa.Error), hints...)
		case aa.Message != "":
			fmt.Fprintln(e.stdout, aa.Message)
		}
	}
	if a.Handed {
		return nil
	}
	if a.CheckError != "" {
		return probeError(errors.New("cannot check: " + a.CheckError))
	}
	return printFindings(e.stdout, asJSON, a.CheckedAt, a.Findings)
}
