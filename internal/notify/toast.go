package notify

import (
	"strings"
	"unicode/utf8"
)

// go-toast (Windows) writes a PowerShell script from a text/template, with
// no escaping at all: the title and message go into <![CDATA[...]]> inside
// an XML document that is itself a PowerShell double-quoted here-string
// (@"..."@), button labels and arguments into XML attributes in the same
// here-string, and the AppID into a single-quoted PowerShell string. In
// that here-string PowerShell expands $name and $(...) and reads backtick
// escapes, and a line starting with "@ ends it; PowerShell also treats the
// typographic quotes “ ” „ as ". In the XML, ]]> ends the CDATA and < & "
// break attributes. Process names and command lines come from any local
// user, so every outside string passes through toastText first.

// Limits for toast text, in runes. Windows shows about three lines anyway;
// the limits keep a 4 KiB command line from reaching the script.
const (
	toastMaxTitle = 120
	toastMaxBody  = 600
	toastMaxLabel = 40
)

// toastText returns s with every character that PowerShell or XML could
// interpret replaced by a look-alike that neither does, control and bidi
// formatting characters removed, invalid UTF-8 replaced, and at most max
// runes (an ellipsis marks a cut). Newlines survive only when multiline.
func toastText(s string, max int, multiline bool) string {
	var b strings.Builder
	b.Grow(len(s))
	n := 0
	lastSpace := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == '\r' {
			if i < len(s) && s[i] == '\n' {
				continue // \r\n: the \n that follows does the work
			}
			r = '\n'
		}
		out, ok := toastRune(r)
		if !ok {
			continue
		}
		if out == '\n' && !multiline {
			out = ' '
		}
		if out == ' ' && lastSpace {
			continue
		}
		if n == max {
			b.WriteRune('…')
			break
		}
		lastSpace = out == ' '
		b.WriteRune(out)
		n++
	}
	return strings.TrimSpace(b.String())
}

// toastRune maps one rune; ok is false for runes that are dropped.
func toastRune(r rune) (rune, bool) {
	switch r {
	case '$':
		return '＄', true // U+FF04
	case '`':
		return 'ˋ', true // U+02CB
	case '"', '“', '”', '„', '‟', '＂':
		return '\'', true
	case '<':
		return '‹', true
	case '>':
		return '›', true
	case '&':
		return '＆', true // U+FF06
	case '\t', '\u2028', '\u2029', '\u0085':
		return ' ', true
	case '\n':
		return '\n', true
	case utf8.RuneError, '\uFFFE', '\uFFFF':
		return '\uFFFD', true
	}
	switch {
	case r < 0x20, r >= 0x7f && r < 0xa0:
		return 0, false // C0/C1 controls
	case r >= 0x200b && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0xfeff:
		return 0, false // zero-width and bidi controls that disguise names
	}
	return r, true
}

// toastSafeAttr reports whether s may go into a toast XML attribute or the
// PowerShell script unchanged: it is how Show checks its own action URIs
// and icon path, which it never rewrites (a rewritten URI would not work).
func toastSafeAttr(s string) bool {
	for _, c := range []byte(s) {
		if c < 0x20 || c >= 0x7f || strings.IndexByte("$`\"'<>&", c) >= 0 {
			return false
		}
	}
	return true
}

// toastAttrURI returns an action URI ready for go-toast's arguments="..."
// attribute: the XML parser turns &amp; back into the & between parameters.
func toastAttrURI(uri string) (string, bool) {
	if !toastSafeAttr(strings.ReplaceAll(uri, "&", "")) {
		return "", false
	}
	return strings.ReplaceAll(uri, "&", "&amp;"), true
}
