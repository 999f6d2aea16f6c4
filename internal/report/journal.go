package report

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/traycheck/traycheck/internal/logfile"
	"github.com/traycheck/traycheck/internal/safefile"
)

// The journal is the helpdesk's history: the findings that changed, the
// actions the user took and the suspends and resumes, one Event per line of
// JSON in a bounded file beside the log. Journal writes it and ReadJournal
// reads it back; the log stays a log, and no log line is ever read as an
// event.

// MaxRecent is how many events ReadJournal keeps (the newest).
const MaxRecent = 50

// maxJournalLine bounds one record; a longer line is skipped, not split.
const maxJournalLine = 16 << 10

// journalTail is how much of the end of the journal ReadJournal reads.
const journalTail = 256 << 10

// journalBytes caps the journal file; one old file is kept.
const journalBytes = 512 << 10

// JournalPath is journal.jsonl in the log's directory.
func JournalPath() (string, error) {
	p, err := logfile.DefaultPath()
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(p), "journal.jsonl"), nil
}

// Journal appends events. It is safe for concurrent use.
type Journal struct {
	mu  sync.Mutex
	w   io.WriteCloser
	run string
}

// OpenJournal opens the journal at JournalPath.
func OpenJournal() (*Journal, error) {
	p, err := JournalPath()
	if err != nil {
		return nil, err
	}
	return OpenJournalAt(p)
}

// OpenJournalAt opens (creating it, private to the user) the journal at path.
func OpenJournalAt(path string) (*Journal, error) {
	w, err := logfile.Open(path, journalBytes, 1)
	if err != nil {
		return nil, fmt.Errorf("opening the journal: %w", err)
	}
	return &Journal{w: w, run: newRunID()}, nil
}

// Run is the id this process stamps on every event it writes: the tray
// and a `traycheck watch` in a terminal share the user's journal, and a
// report shows one run's history, never a mix (see OwnEvents).
func (j *Journal) Run() string {
	if j == nil {
		return ""
	}
	return j.run
}

func newRunID() string {
	return strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
}

// OwnEvents keeps the events of one run, in order. run "" means the run
// of the newest event: `traycheck report` shows the history of the
// traycheck that ran (or runs) last for this user, the tray's "Copy
// diagnostics" passes its own run. The journal lives in the user's own
// state directory, so another user's runs never reach it; other processes
// of this user (a second `watch`, a test run) are what this filter keeps
// out.
func OwnEvents(events []Event, run string) []Event {
	if events == nil {
		return nil
	}
	if run == "" && len(events) > 0 {
		run = events[len(events)-1].Run
	}
	out := []Event{}
	for _, e := range events {
		if e.Run == run {
			out = append(out, e)
		}
	}
	return out
}

// Write appends e as one line.
func (j *Journal) Write(e Event) error {
	if j == nil {
		return nil
	}
	if e.Run == "" {
		e.Run = j.run
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	_, err = j.w.Write(append(b, '\n'))
	return err
}

// Close closes the file.
func (j *Journal) Close() error { return j.w.Close() }

// ReadJournal returns the newest MaxRecent events of the journal at path,
// oldest first, reading only its last 256 KiB; lines it cannot read are
// skipped. A journal that does not exist yet gives nil and no error: the
// report then says "not recorded". One that is not a regular file (a planted
// FIFO, a link to /dev/zero) is refused before anything is read.
func ReadJournal(path string) ([]Event, error) {
	f, err := safefile.OpenRegular(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the journal: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading the journal: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("reading the journal: %s is not a regular file", path)
	}
	cut := false
	if off := fi.Size() - journalTail; off > 0 {
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			return nil, fmt.Errorf("reading the journal: %w", err)
		}
		cut = true // the first line is probably cut: it fails to decode
	}
	return parseJournal(io.LimitReader(f, journalTail), cut), nil
}

func parseJournal(r io.Reader, skipFirst bool) []Event {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxJournalLine)
	out := []Event{}
	for sc.Scan() {
		if skipFirst {
			skipFirst = false
			continue
		}
		var e Event
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.At.IsZero() || e.Kind == "" {
			continue
		}
		if len(out) == MaxRecent {
			out = append(out[:0], out[1:]...)
		}
		out = append(out, e)
	}
	return out
}

// LastPower returns the times of the newest suspend and resume among events
// (zero when there is none).
func LastPower(events []Event) (suspend, resume time.Time) {
	for _, e := range events {
		if e.Kind != "power" {
			continue
		}
		switch e.What {
		case "suspend":
			suspend = e.At
		case "resume":
			resume = e.At
		}
	}
	return suspend, resume
}
