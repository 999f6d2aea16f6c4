package netlink

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

func msg(typ uint16, seq uint32, body []byte) []byte {
	b := AppendHeader(nil, len(body), typ, FMulti, seq)
	b = append(b, body...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func errno(e int32) []byte { return Endian.AppendUint32(nil, uint32(e)) }

type seen struct {
	typ  uint16
	body string
}

func TestMessages(t *testing.T) {
	for name, tc := range map[string]struct {
		b    []byte
		want []seen
		done bool
		err  error
	}{
		"dump then done": {append(append(msg(20, 1, []byte("ab")), msg(20, 1, []byte("cdef"))...), msg(TypeDone, 1, errno(0))...),
			[]seen{{20, "ab"}, {20, "cdef"}}, true, nil},
		"another request's skipped": {append(msg(20, 9, []byte("old!")), msg(20, 1, []byte("new!"))...), []seen{{20, "new!"}}, false, nil},
		"error reply":               {msg(TypeError, 1, append(errno(-22), make([]byte, 16)...)), nil, true, Errno(-22)},
		"ack ends":                  {append(msg(TypeError, 1, errno(0)), msg(20, 1, []byte("late"))...), nil, true, nil},
		"done with error":           {msg(TypeDone, 1, errno(-2)), nil, true, Errno(-2)},
		"short error":               {msg(TypeError, 1, nil), nil, true, ErrTruncated},
		"length past end":           {append(Endian.AppendUint32(nil, 400), make([]byte, 12)...), nil, false, ErrTruncated},
		"length below header":       {append(Endian.AppendUint32(nil, 3), make([]byte, 12)...), nil, false, ErrTruncated},
		"trailing bytes":            {[]byte{1, 2, 3}, nil, false, nil},
		"other request's error":     {msg(TypeError, 9, errno(-22)), nil, false, nil},
	} {
		var got []seen
		done, err := Messages(tc.b, 1, func(typ uint16, body []byte) error {
			got = append(got, seen{typ, string(body)})
			return nil
		})
		if done != tc.done || err != tc.err || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v done=%v err=%v; want %v %v %v", name, got, done, err, tc.want, tc.done, tc.err)
		}
	}
	stop := errors.New("stop")
	n := 0
	done, err := Messages(append(msg(20, 1, nil), msg(20, 1, nil)...), 1, func(uint16, []byte) error { n++; return stop })
	if n != 1 || done || err != stop {
		t.Errorf("fn's error: %d calls, done=%v err=%v", n, done, err)
	}
	if got := Errno(-22).Error(); got != "netlink: kernel error 22" || Errno(-22).Code() != 22 {
		t.Errorf("Errno text %q, code %d", got, Errno(-22).Code())
	}
}

func TestAttrs(t *testing.T) {
	b := AppendStringAttr(nil, 2, "wg0")
	b = append(b, Endian.AppendUint16(Endian.AppendUint16(nil, 6), 0x8000|6)...) // nested flag set
	b = append(b, 0x12, 0x34, 0, 0)
	b = append(b, Endian.AppendUint16(Endian.AppendUint16(nil, 40), 7)...) // runs past the end
	var got []seen
	Attrs(b, func(typ uint16, v []byte) bool {
		got = append(got, seen{typ, string(v)})
		return true
	})
	want := []seen{{2, "wg0\x00"}, {6, "\x12\x34"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if len(AppendStringAttr(nil, 1, "abcd"))%4 != 0 || String([]byte("wg0\x00\x00")) != "wg0" || String([]byte("x")) != "x" {
		t.Error("string attribute padding or reading")
	}
}

func TestAppendHeader(t *testing.T) {
	b := AppendHeader(nil, 4, 18, FRequest|FDump, 7)
	if len(b) != HdrLen || Endian.Uint32(b) != HdrLen+4 || Endian.Uint16(b[4:]) != 18 ||
		Endian.Uint16(b[6:]) != FRequest|FDump || Endian.Uint32(b[8:]) != 7 || !bytes.Equal(b[12:], []byte{0, 0, 0, 0}) {
		t.Errorf("header %x", b)
	}
}

// FuzzMessages: any datagram is walked without panicking, fn sees only
// bodies inside it, and attributes inside those bodies stay inside too.
func FuzzMessages(f *testing.F) {
	f.Add(append(msg(20, 1, AppendStringAttr(nil, 3, "eth0")), msg(TypeDone, 1, errno(0))...))
	f.Add(msg(TypeError, 1, errno(-1)))
	f.Fuzz(func(t *testing.T, b []byte) {
		total := 0
		Messages(b, 1, func(_ uint16, body []byte) error {
			total += HdrLen + len(body)
			Attrs(body, func(_ uint16, v []byte) bool {
				if len(v) > len(body) {
					t.Fatalf("attribute of %d bytes in a body of %d", len(v), len(body))
				}
				return true
			})
			return nil
		})
		if total > len(b) {
			t.Fatalf("%d bytes of messages from %d", total, len(b))
		}
	})
}
