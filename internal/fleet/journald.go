package fleet

import (
	"encoding/binary"
	"strings"
)

// DefaultJournalSocket is where journald listens for its native protocol.
const DefaultJournalSocket = "/run/systemd/journal/socket"

// maxFieldValue bounds one field: a process name or path an attacker chose
// cannot make an entry journald would refuse (or a datagram the socket cannot
// carry), and the helpdesk loses only the tail of an absurd value.
const maxFieldValue = 4096

// EncodeJournal encodes fields in journald's native protocol: NAME=value
// lines, and for a value with a newline the binary form (NAME, newline,
// 64-bit little-endian length, value, newline), so no value can forge a field.
func EncodeJournal(fields []Field) []byte {
	var b []byte
	for _, f := range fields {
		if !validFieldName(f.Name) {
			continue
		}
		v := f.Value
		if len(v) > maxFieldValue {
			v = v[:maxFieldValue]
		}
		if strings.IndexByte(v, '\n') < 0 {
			b = append(b, f.Name...)
			b = append(b, '=')
			b = append(b, v...)
			b = append(b, '\n')
			continue
		}
		b = append(b, f.Name...)
		b = append(b, '\n')
		b = binary.LittleEndian.AppendUint64(b, uint64(len(v)))
		b = append(b, v...)
		b = append(b, '\n')
	}
	return b
}

// validFieldName is journald's rule for names a client may send: uppercase
// letters, digits and underscores, not starting with an underscore or digit,
// at most 64 bytes.
func validFieldName(n string) bool {
	if n == "" || len(n) > 64 || n[0] == '_' || (n[0] >= '0' && n[0] <= '9') {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
