package instance

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func frame(body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	return append(b, body...)
}

// TestReadMessageFixtures decodes the messages in testdata: the two a real
// sender writes, and the hostile or broken ones that must be refused.
func TestReadMessageFixtures(t *testing.T) {
	good := map[string]Message{
		"check-now.json": {Op: OpCheckNow},
		"ping.json":      {Op: OpPing},
		"action.json":    {Op: OpAction, Action: "end-process", Resource: "udp/1194", PID: 4242, Token: "q7Vn2xYbC1kP0aLmZ9wR3g"},
	}
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) < 7 {
		t.Fatalf("fixtures missing: %v", files)
	}
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ReadMessage(bytes.NewReader(frame(body)))
		want, ok := good[filepath.Base(f)]
		switch {
		case ok && err != nil:
			t.Errorf("%s: %v", f, err)
		case ok && !reflect.DeepEqual(m, want):
			t.Errorf("%s: %+v, want %+v", f, m, want)
		case !ok && !errors.Is(err, ErrMalformed):
			t.Errorf("%s: err %v, want ErrMalformed", f, err)
		}
	}
}

func TestFrameLimits(t *testing.T) {
	for name, b := range map[string][]byte{
		"huge length":  {0xff, 0xff, 0xff, 0xff, '{'},
		"zero length":  {0, 0, 0, 0},
		"short body":   {0, 0, 0, 10, '{'},
		"short header": {0, 0},
		"too long":     frame([]byte(`{"op":"check-now","resource":"` + strings.Repeat("a", MaxMessage) + `"}`)),
	} {
		if _, err := ReadMessage(bytes.NewReader(b)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err %v, want ErrMalformed", name, err)
		}
	}
	var buf bytes.Buffer
	m := Message{Op: OpAction, Action: "retry", Resource: "tcp/22", Token: "AAAAAAAAAAAAAAAAAAAAAA"}
	if err := WriteMessage(&buf, m); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadMessage(&buf); err != nil || got != m {
		t.Errorf("round trip: %+v, %v", got, err)
	}
}

func FuzzReadMessage(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(frame(b))
	}
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadMessage(bytes.NewReader(b))
		if err != nil {
			return
		}
		// Whatever decodes must pass validation and survive a round trip.
		if err := m.Validate(); err != nil {
			t.Fatalf("decoded an invalid message %+v: %v", m, err)
		}
		var buf bytes.Buffer
		if err := WriteMessage(&buf, m); err != nil {
			t.Fatal(err)
		}
		if again, err := ReadMessage(&buf); err != nil || again != m {
			t.Fatalf("round trip %+v -> %+v, %v", m, again, err)
		}
	})
}

func TestRootWarning(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	if w := rootWarning(1000, env("DISPLAY", ":0")); w != "" {
		t.Errorf("user on a desktop warned: %q", w)
	}
	if w := rootWarning(0, env()); w != "" {
		t.Errorf("root without a desktop (a server, sudo check) warned: %q", w)
	}
	w := rootWarning(0, env("WAYLAND_DISPLAY", "wayland-0", "SUDO_USER", "dave"))
	if !strings.Contains(w, "as dave without sudo") || !strings.Contains(w, "autostart enable") {
		t.Errorf("warning %q does not say how to run it properly", w)
	}
}

func BenchmarkReadMessage(b *testing.B) {
	body, err := os.ReadFile("testdata/action.json")
	if err != nil {
		b.Fatal(err)
	}
	msg := frame(body)
	r := bytes.NewReader(msg)
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(msg)
		if _, err := ReadMessage(r); err != nil {
			b.Fatal(err)
		}
	}
}
