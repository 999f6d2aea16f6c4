package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/traycheck/traycheck/internal/cli"
	"github.com/traycheck/traycheck/internal/findingprint"
	"github.com/traycheck/traycheck/internal/instance"
	"github.com/traycheck/traycheck/internal/notify"
)

// The client side: a later launch forwards check-now or an action to the
// running instance and prints its Answer.

// ForwardActionURI forwards the URI of a toast button (what Windows starts
// `traycheck.exe --action-uri URI` with) to the running instance.
func ForwardActionURI(ctx context.Context, stdout io.Writer, log *slog.Logger, uri string) error {
	a, err := notify.ParseActionURI(uri)
	if err != nil {
		log.Warn("rejected an action URI", "err", err)
		return cli.UsageError(err)
	}
	return ForwardAction(ctx, stdout, log, instance.Message{Op: instance.OpAction, Action: a.Action, Resource: a.Tag, Token: a.Token})
}

// ForwardAction forwards a validated action request to the running
// instance and prints its answer.
func ForwardAction(ctx context.Context, stdout io.Writer, log *slog.Logger, m instance.Message) error {
	if err := m.Validate(); err != nil {
		log.Warn("rejected an action request", "err", err)
		return cli.UsageError(err)
	}
	rep, err := instance.Send(ctx, m)
	if errors.Is(err, instance.ErrNotRunning) {
		return cli.UsageError(errors.New("no traycheck is running in this session, so there is no notification to act on"),
			"run `traycheck check` to see the current state")
	}
	if err != nil {
		return cli.ProbeError(err)
	}
	return PrintAnswer(stdout, false, m.Resource, rep, cli.UsageError)
}

// PrintAnswer prints the running instance's reply as `traycheck check`
// prints a check, after what became of the action; refused is the error
// for a refusal.
func PrintAnswer(stdout io.Writer, asJSON bool, resource string, rep instance.Reply, refused func(error, ...string) error) error {
	if rep.Error != "" {
		return refused(fmt.Errorf("the running traycheck said: %s", rep.Error))
	}
	var a Answer
	if err := json.Unmarshal(rep.Body, &a); err != nil {
		return cli.ProbeError(fmt.Errorf("the running traycheck's answer: %w", err), "a traycheck of another version runs: restart it")
	}
	if aa := a.Action; aa != nil {
		switch {
		case aa.Confirm != nil:
			c := aa.Confirm
			fmt.Fprintf(stdout, "needs confirmation: %s\nto confirm, run: %s\n", c.Prompt, findingprint.ActionCommand(c.Key, resource, c.PID, c.Token))
			return nil
		case aa.Error != "":
			var hints []string
			if o := aa.Again; o != nil {
				hints = append(hints, "to try again, run: "+findingprint.ActionCommand("ACTION", resource, o.PID, o.Token)+" (ACTION: "+findingprint.ActionList(o.Actions)+")")
			}
			return refused(fmt.Errorf("the running traycheck said: %s failed: %s", aa.Action, aa.Error), hints...)
		case aa.Message != "":
			fmt.Fprintln(stdout, aa.Message)
		}
	}
	if a.Handed {
		return nil
	}
	if a.CheckError != "" {
		return cli.ProbeError(errors.New("cannot check: " + a.CheckError))
	}
	if findingprint.WriteCheck(stdout, findingprint.Auto(stdout), asJSON, a.CheckedAt, a.Findings) {
		return cli.ExitStatus(cli.ExitAttention)
	}
	return nil
}
