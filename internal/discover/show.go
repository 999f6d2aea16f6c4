package discover

import (
	"bytes"
	"fmt"
	"io"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/safetext"
)

// Print is `traycheck config discover [--json]`: what was found, as text
// or as JSON, with what a terminal would act on escaped.
func Print(w io.Writer, found []Found, asJSON bool) error {
	if asJSON {
		return WriteJSON(safetext.DocWriter(w, "traycheck.discover/1", false), found)
	}
	return WriteText(w, found)
}

// ShowSkippedKey is the key under which `traycheck config show` lists what
// discovery did not read, when it ran and left something out: in JSON
// {"value": ["file:line: why", ...], "source": "discovered"}, like a
// setting; in text a block after the settings.
const ShowSkippedKey = "discovery.skipped"

// Show is `traycheck config show [--json]`: every effective value of l and
// where it came from (default, discovered, user, policy), and what discovery
// skipped.
func Show(w io.Writer, l Layers, asJSON bool) error {
	var skipped []string
	for _, f := range l.Found {
		for _, s := range f.Skipped {
			skipped = append(skipped, s.String())
		}
	}
	var b bytes.Buffer
	var err error
	if asJSON {
		settings := l.Settings()
		if len(skipped) > 0 {
			settings = append(settings, config.Setting{Key: ShowSkippedKey, Value: skipped, Source: "discovered"})
		}
		err = config.WriteShowJSON(&b, settings)
	} else {
		err = config.WriteShowText(&b, l.Settings())
		if len(skipped) > 0 {
			fmt.Fprintf(&b, "%s (what discovery did not read, and why):\n", ShowSkippedKey)
			for _, s := range skipped {
				fmt.Fprintf(&b, "  %s\n", safetext.Printable(s))
			}
		}
	}
	if err != nil {
		return err
	}
	_, err = w.Write(safetext.SpliceSchema(safetext.EscapeJSON(b.Bytes()), "traycheck.config/1")) // text is no object: kept
	return err
}
