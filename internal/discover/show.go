package discover

import (
	"bytes"
	"io"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/safetext"
)

// Print is `traycheck config discover [--json]`: what was found, as text
// or as JSON, with what a terminal would act on escaped.
func Print(w io.Writer, found []Found, asJSON bool) error {
	if !asJSON {
		return WriteText(w, found)
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, found); err != nil {
		return err
	}
	_, err := w.Write(safetext.SpliceSchema(safetext.EscapeJSON(b.Bytes()), "traycheck.discover/1"))
	return err
}

// Show is `traycheck config show [--json]`: every effective value of l and
// where it came from (default, discovered, user, policy).
func Show(w io.Writer, l Layers, asJSON bool) error {
	var b bytes.Buffer
	var err error
	if asJSON {
		err = config.WriteShowJSON(&b, l.Settings())
	} else {
		err = config.WriteShowText(&b, l.Settings())
	}
	if err != nil {
		return err
	}
	_, err = w.Write(safetext.SpliceSchema(safetext.EscapeJSON(b.Bytes()), "traycheck.config/1")) // text is no object: kept
	return err
}
