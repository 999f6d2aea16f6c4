package findingprint

import (
	"io"
	"strings"
	"unicode/utf8"
)

// minWrap is the narrowest text column worth wrapping to: on a terminal
// narrower than the indent plus this, lines run on rather than becoming a
// word per line.
const minWrap = 20

// writeWrapped writes text, whose first line starts at column indent (the
// caller has written that far), wrapped at spaces to st.Width with each
// further line indented to the same column, and a newline. A word longer
// than the column (a path, a command) stays whole on its own line.
func (st Style) writeWrapped(w io.Writer, indent int, text string) {
	avail := st.Width - indent
	if st.Width <= 0 || avail < minWrap {
		io.WriteString(w, text+"\n")
		return
	}
	var b strings.Builder
	col := 0
	for _, word := range strings.Fields(text) {
		n := utf8.RuneCountInString(word)
		switch {
		case col == 0:
		case col+1+n > avail:
			b.WriteString("\n")
			b.WriteString(strings.Repeat(" ", indent))
			col = 0
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += n
	}
	b.WriteByte('\n')
	io.WriteString(w, b.String())
}
