package instance

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The operations a second launch can forward.
const (
	OpCheckNow = "check-now"
	OpAction   = "action"
	// OpPing only asks whether an instance listens; the Server answers it
	// itself, without running a check (see Running).
	OpPing = "ping"
)

// Size limits of the wire format. A request is a handful of short fields; a
// reply carries the result of one check.
const (
	MaxMessage = 4 << 10
	MaxReply   = 64 << 10
)

// ErrMalformed is wrapped by every decoding and validation error.
var ErrMalformed = errors.New("instance: malformed request")

// Message is one request to the running instance. On the wire it is a 4-byte
// big-endian length followed by that many bytes of JSON.
type Message struct {
	Op       string `json:"op"`
	Action   string `json:"action,omitempty"`
	Resource string `json:"resource,omitempty"`
	// PID picks the holder for end-process.
	PID int `json:"pid,omitempty"`
	// Token is the offer ledger's token an action must carry.
	Token string `json:"token,omitempty"`
}

// Reply is the running instance's answer: Error when it refused or failed,
// else Body, a JSON document whose shape the caller's protocol defines (the
// findings of the check it made, for traycheck).
type Reply struct {
	Error string          `json:"error,omitempty"`
	Body  json.RawMessage `json:"body,omitempty"`
}

// Validate checks every field against what a legitimate sender produces, so
// a hostile message is refused before anything looks at its meaning.
func (m Message) Validate() error {
	switch m.Op {
	case OpCheckNow:
		if m.Action != "" || m.Token != "" || m.PID != 0 {
			return fmt.Errorf("%w: check-now takes no action, token or pid", ErrMalformed)
		}
	case OpPing:
		if m != (Message{Op: OpPing}) {
			return fmt.Errorf("%w: ping takes nothing", ErrMalformed)
		}
	case OpAction:
		if !isActionID(m.Action) {
			return fmt.Errorf("%w: action %q is not an action id", ErrMalformed, truncate(m.Action))
		}
		if !isToken(m.Token) {
			return fmt.Errorf("%w: an action needs a token", ErrMalformed)
		}
	default:
		return fmt.Errorf("%w: unknown op %q", ErrMalformed, truncate(m.Op))
	}
	if m.PID < 0 || m.PID > 1<<30 {
		return fmt.Errorf("%w: pid %d out of range", ErrMalformed, m.PID)
	}
	if len(m.Resource) > 256 || !utf8.ValidString(m.Resource) || strings.IndexFunc(m.Resource, unicode.IsControl) >= 0 {
		return fmt.Errorf("%w: resource is not a short line of text", ErrMalformed)
	}
	return nil
}

func isActionID(s string) bool {
	if s == "" || len(s) > 32 || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && c != '-' {
			return false
		}
	}
	return true
}

// isToken accepts what the offer ledger issues (unpadded base64url) with room
// for a longer future token.
func isToken(s string) bool {
	if len(s) < 16 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// WriteMessage writes m in the wire format.
func WriteMessage(w io.Writer, m Message) error {
	return writeFrame(w, m, MaxMessage)
}

// ReadMessage reads and validates one request. It never reads more than
// MaxMessage bytes of body, whatever the length prefix claims.
func ReadMessage(r io.Reader) (Message, error) {
	var m Message
	if err := readFrame(r, &m, MaxMessage); err != nil {
		return Message{}, err
	}
	if err := m.Validate(); err != nil {
		return Message{}, err
	}
	return m, nil
}

// WriteReply writes rep in the wire format; a reply too long for it is
// replaced by an error saying so.
func WriteReply(w io.Writer, rep Reply) error {
	if len(rep.Error) > MaxReply/2 {
		rep.Error = rep.Error[:MaxReply/2] + "…"
	}
	err := writeFrame(w, rep, MaxReply)
	if errors.Is(err, errTooLong) {
		return writeFrame(w, Reply{Error: "the answer is too long to send; see the running traycheck's log"}, MaxReply)
	}
	return err
}

var errTooLong = errors.New("message too long")

// ReadReply reads one reply.
func ReadReply(r io.Reader) (Reply, error) {
	var rep Reply
	err := readFrame(r, &rep, MaxReply)
	return rep, err
}

func writeFrame(w io.Writer, v any, limit int) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if len(body) > limit {
		return fmt.Errorf("%w: %d bytes exceed %d", errTooLong, len(body), limit)
	}
	buf := make([]byte, 4, 4+len(body))
	binary.BigEndian.PutUint32(buf, uint32(len(body)))
	_, err = w.Write(append(buf, body...))
	return err
}

// readFrame reads one frame into v. A frame cut short is malformed; a read
// that fails before the first byte (a timeout, a reset, a peer that hung up)
// is not, and its error says what happened instead.
func readFrame(r io.Reader, v any, limit int) error {
	var hdr [4]byte
	if n, err := io.ReadFull(r, hdr[:]); err != nil {
		if n == 0 || !errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("reading length: %w", err)
		}
		return fmt.Errorf("%w: reading length: %w", ErrMalformed, err)
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n == 0 || n > uint32(limit) {
		return fmt.Errorf("%w: length %d not in 1..%d", ErrMalformed, n, limit)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading body: %w", err) // timed out or reset
		}
		return fmt.Errorf("%w: reading body: %w", ErrMalformed, err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: data after the JSON object", ErrMalformed)
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
