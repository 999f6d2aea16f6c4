package trigger

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// LogFiles tails the per-connection logs of clients that have no event
// source: OpenVPN GUI (%USERPROFILE%\OpenVPN\log\work.log) and OpenVPN
// Connect on Windows. Each new line goes through the explain catalogue;
// the file's name is the connection's. Polling (stat per file, once a
// second) costs nothing measurable and survives rotation: a file that
// shrinks or is replaced is read again from its start.
type LogFiles struct {
	// Dirs are the log directories; nil means the OS's (DefaultLogDirs).
	Dirs []string
	// Poll is the interval between looks; default 1s.
	Poll time.Duration
	Log  *slog.Logger
}

// Bounds of one read: a log that grows by megabytes between two polls is
// read in part (its newest lines), never whole.
const (
	maxLogRead = 64 << 10
	maxLogLine = 4 << 10
)

// DefaultLogDirs are OpenVPN GUI's and OpenVPN Connect's log directories
// for the current user (Windows), whether or not they exist.
func DefaultLogDirs() []string {
	var out []string
	if home, err := os.UserHomeDir(); err == nil {
		out = append(out, filepath.Join(home, "OpenVPN", "log"))
	}
	if ad := os.Getenv("APPDATA"); ad != "" {
		out = append(out, filepath.Join(ad, "OpenVPN Connect", "logs"))
	}
	return out
}

// Name implements Source.
func (l *LogFiles) Name() string { return "logfiles" }

// Start implements Source.
func (l *LogFiles) Start(ctx context.Context) (<-chan Event, error) {
	dirs := l.Dirs
	if dirs == nil {
		dirs = DefaultLogDirs()
	}
	var found []string
	for _, d := range dirs {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			found = append(found, d)
		}
	}
	if len(found) == 0 {
		return nil, errors.New("no OpenVPN GUI or OpenVPN Connect log directory")
	}
	poll := l.Poll
	if poll <= 0 {
		poll = time.Second
	}
	log := l.Log
	if log == nil {
		log = slog.Default()
	}
	t := &tailer{dirs: found, files: map[string]*tailed{}, log: log}
	t.scan(true) // what is there now is history
	out := make(chan Event, 8)
	go func() {
		defer close(out)
		tick := time.NewTicker(poll)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			for _, ev := range t.scan(false) {
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

type tailed struct {
	info    os.FileInfo
	off     int64
	partial []byte
}

type tailer struct {
	dirs  []string
	files map[string]*tailed
	log   *slog.Logger
}

// scan looks at every log once and returns the events of their new lines;
// at start it only records where each file ends.
func (t *tailer) scan(atStart bool) []Event {
	var evs []Event
	seen := map[string]bool{}
	for _, d := range t.dirs {
		names, _ := filepath.Glob(filepath.Join(d, "*.log"))
		for _, p := range names {
			seen[p] = true
			st, err := os.Stat(p)
			if err != nil || !st.Mode().IsRegular() {
				continue
			}
			f := t.files[p]
			switch {
			case f == nil && atStart:
				t.files[p] = &tailed{info: st, off: st.Size()}
				continue
			case f == nil:
				f = &tailed{info: st}
				t.files[p] = f
			case !os.SameFile(f.info, st) || st.Size() < f.off:
				// Rotated or truncated: the client started a new log.
				f.off, f.partial = 0, nil
			}
			f.info = st
			if st.Size() == f.off {
				continue
			}
			evs = append(evs, t.read(p, f)...)
		}
	}
	for p := range t.files {
		if !seen[p] {
			delete(t.files, p)
		}
	}
	return evs
}

// read reads what was appended to p since the last look (the newest
// maxLogRead bytes of it) and returns the events of its complete lines.
func (t *tailer) read(p string, f *tailed) []Event {
	fh, err := os.Open(p)
	if err != nil {
		t.log.Debug("log file unreadable", "file", p, "err", err)
		return nil
	}
	defer fh.Close()
	from := f.off
	if f.info.Size()-from > maxLogRead {
		from, f.partial = f.info.Size()-maxLogRead, nil
	}
	buf := make([]byte, f.info.Size()-from)
	n, err := fh.ReadAt(buf, from)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil
	}
	f.off = from + int64(n)
	data := append(f.partial, buf[:n]...)
	last := bytes.LastIndexByte(data, '\n')
	if last < 0 {
		f.partial = clip(data)
		return nil
	}
	f.partial = clip(data[last+1:])
	conn := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
	var evs []Event
	for _, line := range strings.Split(string(data[:last]), "\n") {
		line = strings.TrimRight(line, "\r")
		if len(line) > maxLogLine {
			line = line[:maxLogLine]
		}
		if ev, ok := FromLine("logfile", conn, "openvpn", line, time.Now()); ok {
			evs = append(evs, ev)
		}
	}
	return evs
}

// clip keeps at most maxLogLine bytes of an unfinished line.
func clip(b []byte) []byte {
	if len(b) > maxLogLine {
		b = b[:maxLogLine]
	}
	return append([]byte(nil), b...)
}
