// Package safetext is the one place that makes outside text safe to show:
// process names, paths, user names and the contents of the user's own
// configuration files can carry terminal escapes, bidi overrides or invalid
// UTF-8, and every printer (terminal, notification, log, JSON) passes them
// through here. It sits on the ground floor so that any package, pure or not,
// can use it.
package safetext

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// IsHidden reports whether r, printed raw, can move or hide text on a
// terminal or in a notification: C0 and C1 controls and DEL, format
// characters (bidi overrides and isolates, zero-width joiners) and the
// Unicode line and paragraph separators.
func IsHidden(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

// Printable makes text from outside (process names, paths, user names: any
// local user chooses their own process's name) safe to print on a terminal
// or in a notification: control characters (ESC sequences, newlines) and
// the Unicode line and paragraph separators (U+2028, U+2029, which break a
// notification's line as a newline would) become spaces, format characters
// (bidi overrides) are dropped, and invalid UTF-8 becomes U+FFFD.
func Printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || IsHidden(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			r = '\uFFFD'
		case unicode.IsControl(r), r == '\u2028', r == '\u2029':
			r = ' '
		case unicode.Is(unicode.Cf, r):
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// EscapeJSON rewrites encoded JSON (encoding/json's output: valid UTF-8,
// these runes only ever inside strings) so that every hidden rune is a
// \uXXXX escape. The JSON stays valid and decodes to exactly the same
// strings, so a program reading `check --json` still gets the holder's true
// name and path; only the raw bytes change, so the document shown in a
// terminal or a ticket cannot carry a C1 control (ESC's 8-bit twin, CSI) or
// a bidi override that reorders what a person reads. Faithful and safe,
// where stripping them would have lost the name that identifies the process.
func EscapeJSON(b []byte) []byte {
	i := 0
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if r >= 0x7f && IsHidden(r) {
			break
		}
		i += n
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	out = append(out, b[:i]...)
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		i += n
		if r < 0x7f || !IsHidden(r) {
			out = utf8.AppendRune(out, r)
			continue
		}
		if r > 0xffff {
			r1, r2 := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
			continue
		}
		out = fmt.Appendf(out, `\u%04x`, r)
	}
	return out
}

// WriteJSON writes v as indented JSON (the one-shot commands' format), with
// HTML characters left as they are (a path with & stays readable) and every
// hidden rune escaped (EscapeJSON).
func WriteJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	_, err := w.Write(EscapeJSON(b.Bytes()))
	return err
}

// WriteJSONLine writes v as one line of JSON (the streaming format of
// `watch --json`), hidden runes escaped.
func WriteJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	_, err = w.Write(append(EscapeJSON(b), '\n'))
	return err
}
