package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/traycheck/traycheck/internal/cli"
	"github.com/traycheck/traycheck/internal/console"
	"github.com/traycheck/traycheck/internal/instance"
	"github.com/traycheck/traycheck/internal/session"
)

// printAnswer prints the running instance's reply as `traycheck check`
// prints a check, after what became of the action; refused is the error
// for a refusal.
func printAnswer(e *env, asJSON bool, resource string, rep instance.Reply, refused func(error, ...string) error) error {
	if rep.Error != "" {
		return refused(fmt.Errorf("the running traycheck said: %s", rep.Error))
	}
	var a session.Answer
	if err := json.Unmarshal(rep.Body, &a); err != nil {
		return cli.ProbeError(fmt.Errorf("the running traycheck's answer: %w", err), "a traycheck of another version runs: restart it")
	}
	if aa := a.Action; aa != nil {
		switch {
		case aa.Confirm != nil:
			c := aa.Confirm
			fmt.Fprintf(e.stdout, "needs confirmation: %s\nto confirm, run: %s\n", c.Prompt, console.ActionCommand(c.Key, resource, c.PID, c.Token))
			return nil
		case aa.Error != "":
			var hints []string
			if o := aa.Again; o != nil {
				hints = append(hints, "to try again, run: "+console.ActionCommand("ACTION", resource, o.PID, o.Token)+" (ACTION: "+console.ActionList(o.Actions)+")")
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
		return cli.ProbeError(errors.New("cannot check: " + a.CheckError))
	}
	return printFindings(e.stdout, asJSON, a.CheckedAt, a.Findings)
}
