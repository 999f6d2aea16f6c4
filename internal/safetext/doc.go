package safetext

import (
	"bytes"
	"io"
	"strconv"
)

// WriteDoc writes v as WriteJSON does, with "schema": id as the object's
// first key ("traycheck.check/1"): the version of the document's shape,
// which docs/schema/ describes. Within /1 fields are only ever added.
func WriteDoc(w io.Writer, id string, v any) error {
	var b bytes.Buffer
	if err := WriteJSON(&b, v); err != nil {
		return err
	}
	_, err := w.Write(SpliceSchema(b.Bytes(), id))
	return err
}

// SpliceSchema inserts "schema": id as the first key of the encoded JSON
// object doc (indented or compact, as encoding/json writes it). Anything
// that is not an object (text output, an array) is returned as it is.
func SpliceSchema(doc []byte, id string) []byte {
	i := 0
	for i < len(doc) && (doc[i] == ' ' || doc[i] == '\n' || doc[i] == '\t' || doc[i] == '\r') {
		i++
	}
	if i >= len(doc) || doc[i] != '{' {
		return doc
	}
	rest := doc[i+1:]
	var ins string
	switch {
	case len(rest) > 0 && rest[0] == '\n':
		// Indented: the next line's indent is the key's.
		indent := rest[1:]
		n := 0
		for n < len(indent) && (indent[n] == ' ' || indent[n] == '\t') {
			n++
		}
		ins = "\n" + string(indent[:n]) + `"schema": ` + strconv.Quote(id) + ","
		if n < len(indent) && indent[n] == '}' {
			ins = ins[:len(ins)-1] // an empty object: no comma
		}
	case len(rest) > 0 && rest[0] == '}':
		ins = `"schema":` + strconv.Quote(id)
	default:
		ins = `"schema":` + strconv.Quote(id) + ","
	}
	out := make([]byte, 0, len(doc)+len(ins))
	out = append(out, doc[:i+1]...)
	out = append(out, ins...)
	return append(out, rest...)
}

// DocWriter passes writes on to w, splicing "schema": id into the first
// one when it is a JSON object: for a document another package prints
// whole with one Write (WriteJSON does), so its call site changes by one
// line. everyLine splices into every write instead, for a stream of JSON
// lines (`watch --json`), each written with one Write (WriteJSONLine).
func DocWriter(w io.Writer, id string, everyLine bool) io.Writer {
	return &docWriter{w: w, id: id, every: everyLine}
}

type docWriter struct {
	w     io.Writer
	id    string
	every bool
	done  bool
}

func (d *docWriter) Write(p []byte) (int, error) {
	if d.done {
		return d.w.Write(p)
	}
	d.done = !d.every
	if _, err := d.w.Write(SpliceSchema(p, d.id)); err != nil {
		return 0, err
	}
	return len(p), nil
}
