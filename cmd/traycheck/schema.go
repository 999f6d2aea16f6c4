package main

import (
	"io"

	"github.com/traycheck/traycheck/internal/safetext"
)

// The "schema" of each JSON document and of each `watch --json` line
// (docs/schema/ describes them; within /1 fields are only ever added).
// config show, config discover, report and explain set theirs where they
// are written.
const (
	schemaCheck = "traycheck.check/1"
	schemaWatch = "traycheck.watch/1"
)

// watchOut is where watch and console mode print: with --json every line
// carries the schema.
func watchOut(w io.Writer, asJSON bool) io.Writer {
	if !asJSON {
		return w
	}
	return safetext.DocWriter(w, schemaWatch, true)
}
