package config

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// Error is what Parse and Load return for a config that cannot be used. It
// names the place in the file so an editor can jump there:
// "FILE:LINE:COL: what was wrong, what was expected".
type Error struct {
	// File is the file name given to Parse, or the path given to Load.
	File string
	// Line and Col are 1-based; both are 0 when the error is about the file
	// as a whole (it cannot be read, or its permissions are unsafe). Col
	// counts characters, not bytes.
	Line, Col int
	// Msg says what was wrong and what was expected, lowercase.
	Msg string
	// Err is the underlying error (a toml.ParseError, an *fs.PathError), if
	// any; errors.Is and errors.As see through to it.
	Err error
}

func (e *Error) Error() string {
	if e.Line <= 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// lineCol turns a byte offset in data into a 1-based line and a 1-based
// column counted in characters, which is what editors show.
func lineCol(data []byte, off int) (line, col int) {
	off = max(0, min(off, len(data)))
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if data[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, utf8.RuneCount(data[start:off]) + 1
}

// fromParseError converts the TOML library's syntax error (bad syntax,
// duplicate keys, overflowing integers) into an *Error that wraps it.
func fromParseError(file string, data []byte, pe toml.ParseError) *Error {
	line, col := lineCol(data, pe.Position.Start)
	if pe.Position.Line > 0 && line != pe.Position.Line {
		// Start and Line disagree only if the library changes how it counts;
		// trust its line then, and point at the line's start.
		line, col = pe.Position.Line, 1
	}
	msg := "invalid TOML: " + pe.Message
	if strings.Contains(pe.Message, "has already been defined") {
		msg += " (each key and table may appear only once)"
	}
	return &Error{File: file, Line: line, Col: col, Msg: msg, Err: pe}
}
