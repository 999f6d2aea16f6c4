package discover

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"slices"
)

// lineReader yields the lines of a configuration file, numbered from 1,
// without their line ending. A line longer than maxLineLen is not returned:
// its number goes to long, and reading goes on after it, so one huge line
// cannot hide the settings that follow it.
type lineReader struct {
	r    *bufio.Reader
	n    int // the number of the line last returned or skipped
	long []int
	err  error
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 4096)}
}

func (l *lineReader) next() (string, bool) {
	for {
		var line []byte
		total, got := 0, false
		for {
			chunk, err := l.r.ReadSlice('\n')
			got = got || len(chunk) > 0
			total += len(chunk)
			if total <= maxLineLen+1 {
				line = append(line, chunk...)
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err != nil && err != io.EOF {
				l.err = err
				return "", false
			}
			if err == io.EOF && !got {
				return "", false
			}
			break
		}
		l.n++
		if total > 0 && total <= len(line) && line[len(line)-1] == '\n' {
			total--
			line = line[:len(line)-1]
		}
		if total > maxLineLen {
			l.long = append(l.long, l.n)
			continue
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		return string(line), true
	}
}

// maxSkips bounds the Skips one Found lists; more are counted.
const maxSkips = 32

// skips collects what one source did not read, each reason once.
type skips struct {
	list []Skip
	more int
}

func (s *skips) add(where, why string) {
	k := Skip{Where: where, Why: why}
	if slices.Contains(s.list, k) {
		return
	}
	if len(s.list) >= maxSkips {
		s.more++
		return
	}
	s.list = append(s.list, k)
}

// longLines records the lines of path that l skipped for their length.
func (s *skips) longLines(path string, l *lineReader) { s.long(path, l.long) }

// long records the lines of path skipped for their length.
func (s *skips) long(path string, lines []int) {
	for _, n := range lines {
		s.add(at(path, n), fmt.Sprintf("line longer than %d KiB: not read", maxLineLen>>10))
	}
}

func (s *skips) result() []Skip {
	out := slices.Clone(s.list)
	if s.more > 0 {
		out = append(out, Skip{Where: "…", Why: fmt.Sprintf("%d more not listed", s.more)})
	}
	return out
}

// expand expands an include pattern (a glob), sorted, to at most
// maxGlobFiles names, looking at no more directory entries than the
// discovery's budget has left; what it leaves out is named at where.
func (b *budget) expand(pattern, where string, sk *skips) []string {
	if b.globs <= 0 {
		sk.add(where, fmt.Sprintf("include %s not read: this discovery expanded %d include patterns already", pattern, budgetGlobs))
		return nil
	}
	b.globs--
	matches, cut, err := glob(pattern, &b.globEntries)
	if err != nil {
		sk.add(where, fmt.Sprintf("include %s: %v", pattern, err))
		return nil
	}
	if cut {
		sk.add(where, fmt.Sprintf("include %s: stopped after looking at %d directory entries in this discovery; only %d matches read", pattern, budgetGlobEntries, len(matches)))
	}
	if len(matches) > maxGlobFiles {
		rest := matches[maxGlobFiles:]
		sk.add(where, fmt.Sprintf("include %s matched %d files: read the first %d, skipped %d (%s … %s)",
			pattern, len(matches), maxGlobFiles, len(rest), filepath.Base(rest[0]), filepath.Base(rest[len(rest)-1])))
		matches = matches[:maxGlobFiles]
	}
	return matches
}
