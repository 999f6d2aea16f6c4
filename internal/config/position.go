package config

import (
	"bytes"
	"errors"
	"reflect"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// The TOML library knows where every key's value starts but keeps it private;
// it reveals it only in the ParseError of a value whose UnmarshalTOML fails.
// So, to place an error, decode the document again into a struct that has
// just the one key path, ending in a type that always fails. Errors are rare
// and configs small, so the second decode costs nothing that matters.

type locator struct{}

// errLocate has a message no real TOML error has; ParseError does not
// unwrap, so the message is what identifies it.
var errLocate = errors.New("traycheck: locate this value")

func (*locator) UnmarshalTOML(any) error { return errLocate }

// valueOffset returns the byte offset at which the library places key's value
// (for a [table] header, its opening bracket), or -1 when it does not know.
func valueOffset(data []byte, key toml.Key) int {
	if len(key) == 0 {
		return -1
	}
	t := reflect.TypeFor[locator]()
	for i := len(key) - 1; i >= 0; i-- {
		if strings.ContainsAny(key[i], "\",`") {
			return -1 // cannot be spelled in a struct tag
		}
		t = reflect.StructOf([]reflect.StructField{{
			Name: "F",
			Type: t,
			Tag:  reflect.StructTag(`toml:"` + key[i] + `"`),
		}})
	}
	_, err := toml.Decode(string(data), reflect.New(t).Interface())
	var pe toml.ParseError
	if !errors.As(err, &pe) || pe.Message != errLocate.Error() {
		return -1
	}
	if pe.Position.Line == 0 {
		return -1 // implicit tables have no position of their own
	}
	return max(0, min(pe.Position.Start, len(data)))
}

// keyOffset returns the byte offset of key's name on the line where its value
// starts, so errors about a key point at the key; for a [table] header it is
// the header's bracket. It returns -1 when the key cannot be placed.
func keyOffset(data []byte, key toml.Key) int {
	off := valueOffset(data, key)
	if off < 0 || off >= len(data) || data[off] == '[' {
		return off
	}
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	name := key[len(key)-1]
	line := data[start:off]
	if i := bytes.LastIndex(line, []byte(name)); i >= 0 {
		return start + i
	}
	return off
}

// elemOffset returns the byte offset of one element of key's array value:
// the first place after the key where the element is written literally. It
// falls back to the key's offset when the element is spelled in a way it
// does not recognise (escapes, multi-line strings, hex numbers).
func elemOffset(data []byte, key toml.Key, elem any) int {
	koff := keyOffset(data, key)
	if koff < 0 {
		return koff
	}
	rest := data[koff:]
	best := -1
	consider := func(i int) {
		if i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	switch v := elem.(type) {
	case string:
		consider(indexCode(rest, strconv.Quote(v), false))
		if !strings.Contains(v, "'") {
			consider(indexCode(rest, "'"+v+"'", false))
		}
	case int64:
		consider(indexCode(rest, strconv.FormatInt(v, 10), true))
	case bool:
		consider(indexCode(rest, strconv.FormatBool(v), true))
	}
	if best < 0 {
		return koff
	}
	return koff + best
}

// indexCode finds the first s in b that is not inside a comment; with
// whole, s must also not be part of a longer number (8080 must not match
// inside 18080). It is linear in len(b): the candidates come in increasing
// order and one commentScanner walks b once for all of them (a crafted
// config with 100,000 candidates on one line took minutes when each was
// checked from its line's start).
func indexCode(b []byte, s string, whole bool) int {
	sc := commentScanner{b: b}
	for from := 0; from < len(b); {
		i := bytes.Index(b[from:], []byte(s))
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(s)
		ok := !sc.inComment(i)
		if whole && ((i > 0 && isNumByte(b[i-1])) || (end < len(b) && isNumByte(b[end]))) {
			ok = false
		}
		if ok {
			return i
		}
		from = i + 1
	}
	return -1
}

// commentScanner answers "is offset i in a # comment?" for increasing i in
// one pass, skipping quoted strings. Multi-line strings are not followed;
// they are rare in a config and only shift a column.
type commentScanner struct {
	b       []byte
	pos     int  // b[:pos] has been read
	quote   byte // the open quote at pos, or 0
	comment bool // pos is in a comment
}

func (c *commentScanner) inComment(i int) bool {
	for ; c.pos < i; c.pos++ {
		switch ch := c.b[c.pos]; {
		case ch == '\n':
			c.quote, c.comment = 0, false
		case c.comment:
		case c.quote != 0:
			if ch == '\\' && c.quote == '"' && c.pos+1 < len(c.b) && c.b[c.pos+1] != '\n' {
				c.pos++
			} else if ch == c.quote {
				c.quote = 0
			}
		case ch == '"' || ch == '\'':
			c.quote = ch
		case ch == '#':
			c.comment = true
		}
	}
	return c.comment
}

func isNumByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '_' || c == '+' || c == '-' || c == '.'
}
