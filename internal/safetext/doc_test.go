package safetext

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestSpliceSchemaFirstKey(t *testing.T) {
	for name, doc := range map[string]string{
		"indented":  "{\n  \"checked_at\": \"x\",\n  \"findings\": []\n}\n",
		"compact":   `{"event":"resume","slept_s":95}` + "\n",
		"empty":     "{}\n",
		"empty-ind": "{\n}\n",
	} {
		got := SpliceSchema([]byte(doc), "traycheck.check/1")
		var m map[string]any
		if err := json.Unmarshal(got, &m); err != nil {
			t.Errorf("%s: invalid JSON %q: %v", name, got, err)
			continue
		}
		if m["schema"] != "traycheck.check/1" {
			t.Errorf("%s: schema = %v", name, m["schema"])
		}
		dec := json.NewDecoder(bytes.NewReader(got))
		dec.Token() // {
		if k, _ := dec.Token(); k != "schema" {
			t.Errorf("%s: first key %v, want schema: %s", name, k, got)
		}
	}
	for _, notObject := range []string{"ok  udp/500  free\n", "[1]\n", ""} {
		if got := string(SpliceSchema([]byte(notObject), "x/1")); got != notObject {
			t.Errorf("SpliceSchema(%q) = %q", notObject, got)
		}
	}
}

func TestWriteDocAndWriters(t *testing.T) {
	var b bytes.Buffer
	if err := WriteDoc(&b, "traycheck.report/1", map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"schema\": \"traycheck.report/1\",\n  \"a\": 1\n}\n"; b.String() != want {
		t.Errorf("WriteDoc = %q, want %q", b.String(), want)
	}
	b.Reset()
	w := DocWriter(&b, "traycheck.watch/1", true)
	WriteJSONLine(w, map[string]int{"a": 1})
	WriteJSONLine(w, map[string]int{"b": 2})
	if lines := strings.Split(strings.TrimSpace(b.String()), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], `{"schema":"traycheck.watch/1","b"`) {
		t.Errorf("every line: %q", b.String())
	}
	b.Reset()
	w = DocWriter(&b, "traycheck.check/1", false)
	WriteJSON(w, map[string]int{"a": 1})
	WriteJSON(w, map[string]int{"b": 2})
	if strings.Count(b.String(), "schema") != 1 {
		t.Errorf("first write only: %q", b.String())
	}
}
