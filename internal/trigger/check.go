package trigger

import (
	"context"
	"fmt"
	"os/exec"
)

// Check says, without listening, whether each source could run here:
// `config show` lists the result. A source that starts a feed to find out
// (NetworkManager's bus, the event log) starts and stops it.
func Check(ctx context.Context, sources ...Source) []Status {
	var st []Status
	for _, s := range sources {
		st = append(st, check(ctx, s))
	}
	return st
}

func check(ctx context.Context, s Source) Status {
	if j, ok := s.(*Journald); ok {
		if _, err := exec.LookPath(j.argv()[0]); err != nil {
			return Status{Name: s.Name(), Why: "no journalctl"}
		}
		if !j.systemReadable() {
			return Status{Name: s.Name(), Active: true, Why: "user journal only: cannot read the system journal (not in adm or systemd-journal)"}
		}
		return Status{Name: s.Name(), Active: true}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch, err := s.Start(ctx)
	if err != nil {
		return Status{Name: s.Name(), Why: err.Error()}
	}
	cancel()
	for range ch {
	}
	return Status{Name: s.Name(), Active: true}
}

// String is a status as `config show` prints it.
func (s Status) String() string {
	switch {
	case s.Active && s.Why != "":
		return fmt.Sprintf("triggers.%s: on: %s", s.Name, s.Why)
	case s.Active:
		return fmt.Sprintf("triggers.%s: on", s.Name)
	}
	return fmt.Sprintf("triggers.%s: off: %s", s.Name, s.Why)
}
