package config

import (
	"bytes"
	"testing"
)

// The watch loop parses the config at start and on reload, not per check, so
// these guard against a regression (a quadratic position search, say) more
// than they chase speed.

func BenchmarkParseDefault(b *testing.B) {
	data := DefaultTOML()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("default.toml", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseError places an error at the end of the default file, the
// worst case: placing it decodes the document a second time and scans up to
// the error.
func BenchmarkParseError(b *testing.B) {
	bad := bytes.Replace(DefaultTOML(), []byte(`interval = "30s"`), []byte(`interval = "10ms"`), 1)
	if bytes.Equal(bad, DefaultTOML()) {
		b.Fatal("default.toml no longer sets interval = \"30s\"")
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(bad)))
	for b.Loop() {
		if _, err := Parse("bad.toml", bad); err == nil {
			b.Fatal("no error")
		}
	}
}
