package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/traycheck/traycheck/internal/safefile"
)

// MaxRecent is how many events ParseLog keeps (the newest).
const MaxRecent = 50

// maxLogLine bounds one log line; longer lines are skipped, not split.
const maxLogLine = 16 << 10

// ParseLog picks the recent findings and actions out of traycheck's log (the
// bounded file of internal/logfile, written by slog's text handler:
// time=... level=INFO msg="action done" action=retry resource=udp/1194 ...).
// A line with an "action" attribute is an action, one with a "cause" a
// finding, one with "power" a suspend or resume; other lines are skipped, as are lines it cannot read. It keeps the
// newest MaxRecent events, oldest first.
func ParseLog(r io.Reader) []Event {
	br := bufio.NewReaderSize(r, 4096)
	out := []Event{}
	for {
		line, err := readLine(br)
		if e, ok := parseLogLine(line); ok {
			if len(out) == MaxRecent {
				copy(out, out[1:])
				out = out[:MaxRecent-1]
			}
			out = append(out, e)
		}
		if err != nil {
			return out
		}
	}
}

// readLine returns the next line without its newline, or "" for a line
// longer than maxLogLine (whose rest is skipped).
func readLine(br *bufio.Reader) (string, error) {
	var b []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(b)+len(chunk) <= maxLogLine {
			b = append(b, chunk...)
		} else {
			b = b[:0:0]
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			return "", err
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return strings.TrimRight(string(b), "\r\n"), err
		}
	}
}

func parseLogLine(line string) (Event, bool) {
	attrs := map[string]string{}
	for s := strings.TrimSpace(line); s != ""; s = strings.TrimLeft(s, " ") {
		k, rest, ok := strings.Cut(s, "=")
		if !ok || k == "" || strings.ContainsAny(k, " \"") {
			return Event{}, false
		}
		var v string
		if strings.HasPrefix(rest, `"`) {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return Event{}, false
			}
			v, _ = strconv.Unquote(q)
			rest = rest[len(q):]
		} else {
			v, rest, _ = strings.Cut(rest, " ")
		}
		attrs[k] = v
		s = rest
	}
	e := Event{Resource: attrs["resource"]}
	switch {
	case attrs["action"] != "":
		e.Kind, e.What = "action", attrs["action"]
		e.Detail = attrs["msg"]
		if m := attrs["message"]; m != "" {
			e.Detail += ": " + m
		}
		if m := attrs["err"]; m != "" {
			e.Detail += ": " + m
		}
	case attrs["cause"] != "":
		e.Kind, e.What, e.Detail = "finding", attrs["cause"], attrs["message"]
	case attrs["power"] == "suspend" || attrs["power"] == "resume":
		e.Kind, e.What = "power", attrs["power"]
		e.Detail = strings.TrimSpace("slept " + attrs["slept"] + " (" + attrs["source"] + ")")
		if attrs["power"] == "suspend" {
			e.Detail = "source " + attrs["source"]
		}
	default:
		return Event{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, attrs["time"])
	if err != nil {
		return Event{}, false
	}
	e.At = t
	return e, true
}

// logTail is how much of the end of the log ReadLog reads.
const logTail = 256 << 10

// ReadLog returns the recent events of the log file at path (see ParseLog),
// reading only its last 256 KiB. A log that does not exist yet gives nil
// and no error: the report then says "not recorded". A log that is not a
// regular file (a planted FIFO, a link to /dev/zero) is refused before
// anything is read, so the report can neither hang nor read forever.
func ReadLog(path string) ([]Event, error) {
	f, err := safefile.OpenRegular(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading log: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading log: %w", err)
	}
	if off := fi.Size() - logTail; off > 0 {
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			return nil, fmt.Errorf("reading log: %w", err)
		}
		// The first line is probably cut; drop it.
		br := bufio.NewReader(f)
		if _, err := readLine(br); err != nil {
			return []Event{}, nil
		}
		return ParseLog(br), nil
	}
	return ParseLog(f), nil
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
