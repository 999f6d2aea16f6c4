package trigger

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"slices"
	"time"
)

// Journald follows the journal with `journalctl --follow --output=json
// --since=now`, filtered by journalctl's field matches, so no cgo and no
// libsystemd: traycheck reads only the followed programs' new entries.
// Not --lines=0: with field matches, journalctl 252 (Debian 12) then drops
// all but the last entry of the first batch it wakes up for, which is
// exactly where a failing client's lines arrive.
type Journald struct {
	// Command is journalctl's path, or a command prefix ending in it (a test
	// runs it in a private mount namespace with nsenter); default
	// "journalctl".
	Command []string
	// SystemReadable says whether this user may read the system journal;
	// default: root, or a member of adm, systemd-journal or wheel.
	SystemReadable func() bool
	Log            *slog.Logger
	// Backoff bounds the restarts of a journalctl that died: it starts at
	// the first value and doubles up to the second. Defaults 1s and 1m.
	MinBackoff, MaxBackoff time.Duration
}

// Name implements Source.
func (j *Journald) Name() string { return "journald" }

// Start implements Source.
func (j *Journald) Start(ctx context.Context) (<-chan Event, error) {
	argv := j.argv()
	if _, err := exec.LookPath(argv[0]); err != nil {
		return nil, fmt.Errorf("no journalctl: %w", err)
	}
	log := j.Log
	if log == nil {
		log = slog.Default()
	}
	args := slices.Clone(argv[1:])
	args = append(args, "--follow", "--output=json", "--since=now", "--quiet", "--no-pager")
	if !j.systemReadable() {
		// Said once: the user journal still shows user services' failures.
		log.Warn("cannot read the system journal (not in adm or systemd-journal): following the user journal only")
		args = append(args, "--user")
	}
	args = append(args, JournalMatches()...)
	lo, hi := j.MinBackoff, j.MaxBackoff
	if lo <= 0 {
		lo = time.Second
	}
	if hi < lo {
		hi = time.Minute
	}
	out := make(chan Event, 8)
	go func() {
		defer close(out)
		wait := lo
		for ctx.Err() == nil {
			began := time.Now()
			err := j.follow(ctx, argv[0], args, out)
			if ctx.Err() != nil {
				return
			}
			if time.Since(began) > hi {
				wait = lo // it ran well for a while: this is a fresh failure
			}
			log.Warn("journalctl stopped; restarting", "err", err, "after", wait)
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(wait*2, hi)
		}
	}()
	return out, nil
}

// argv is Command or its default; Start and Check read it alike.
func (j *Journald) argv() []string {
	if len(j.Command) == 0 {
		return []string{"journalctl"}
	}
	return j.Command
}

// systemReadable is SystemReadable or its default.
func (j *Journald) systemReadable() bool {
	if j.SystemReadable == nil {
		return systemJournalReadable()
	}
	return j.SystemReadable()
}

// follow runs journalctl once and sends its events until it exits.
func (j *Journald) follow(ctx context.Context, bin string, args []string, out chan<- Event) error {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stderr = nil
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("journalctl: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("journalctl: %w", err)
	}
	readErr := eachLine(stdout, maxJournalLine, func(line []byte) {
		if ev, ok := journalEvent(line, time.Now()); ok {
			select {
			case out <- ev:
			case <-ctx.Done():
			}
		}
	})
	err = cmd.Wait()
	return errors.Join(readErr, err)
}

// maxJournalLine bounds one entry of journalctl's output.
const maxJournalLine = 1 << 20

// eachLine calls fn with each line of r (without its newline) until r
// ends. A journal entry can be long (a dumped environment); the message
// traycheck reads is short, so a line over max bytes is skipped and the
// lines after it still read: a bufio.Scanner would stop there for good,
// leaving journalctl blocked on a full pipe and the source silent.
func eachLine(r io.Reader, max int, fn func([]byte)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var line []byte
	long := false
	for {
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if long = long || len(line)+len(chunk) > max; !long {
				line = append(line, chunk...)
			}
			continue
		}
		if !long && (len(chunk) > 0 || len(line) > 0) && len(line)+len(chunk) <= max {
			line = append(line, chunk...)
			fn(bytes.TrimSuffix(line, []byte{'\n'}))
		}
		line, long = line[:0], false
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// systemJournalReadable is journald's own rule: root and the adm,
// systemd-journal and wheel groups read the system journal.
func systemJournalReadable() bool {
	if os.Geteuid() == 0 {
		return true
	}
	gids, err := os.Getgroups()
	if err != nil {
		return false
	}
	for _, gid := range gids {
		g, err := user.LookupGroupId(fmt.Sprint(gid))
		if err != nil {
			continue
		}
		switch g.Name {
		case "adm", "systemd-journal", "wheel":
			return true
		}
	}
	return false
}
