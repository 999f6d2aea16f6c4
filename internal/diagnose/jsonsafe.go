package diagnose

import (
	"fmt"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// isHiddenRune reports whether r, printed raw, can move or hide text on a
// terminal or in a notification: C0 and C1 controls and DEL, format
// characters (bidi overrides and isolates, zero-width joiners) and the
// Unicode line and paragraph separators.
func isHiddenRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
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
		if r >= 0x7f && isHiddenRune(r) {
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
		if r < 0x7f || !isHiddenRune(r) {
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
