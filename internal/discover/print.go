package discover

import (
	"fmt"
	"io"
	"strings"

	"github.com/traycheck/traycheck/internal/safetext"
)

// WriteJSON writes found as `traycheck config discover --json` prints it:
// {"found": [...]}, with found an array even when empty, every hidden rune
// in a string escaped (safetext.WriteJSON).
func WriteJSON(w io.Writer, found []Found) error {
	if found == nil {
		found = []Found{}
	}
	for i := range found {
		found[i].normalize()
	}
	return safetext.WriteJSON(w, struct {
		Found []Found `json:"found"`
	}{found})
}

// WriteText writes found for a person: one block per configuration, what it
// needs, where it was read and what was skipped. Every string comes from a
// file someone else may have written (a profile's name, its dev value, an
// ssh Host), so each goes through safetext.Printable: no escape sequence
// reaches the terminal.
func WriteText(w io.Writer, found []Found) error {
	if len(found) == 0 {
		_, err := fmt.Fprintln(w, "no VPN configuration found: traycheck watches the well-known VPN ports (`traycheck config show`)")
		return err
	}
	p := safetext.Printable
	list := func(ss []string) string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = p(s)
		}
		return strings.Join(out, ", ")
	}
	var b strings.Builder
	for _, f := range found {
		fmt.Fprintf(&b, "%-14s %s\n", p(f.Kind), p(f.Name))
		fmt.Fprintf(&b, "  source:  %s\n", p(f.Source))
		if len(f.Ports) > 0 {
			fmt.Fprintf(&b, "  ports:   %s\n", list(f.Ports))
		}
		if len(f.Devices) > 0 {
			fmt.Fprintf(&b, "  devices: %s\n", list(f.Devices))
		}
		if len(f.Clients) > 0 {
			fmt.Fprintf(&b, "  clients: %s\n", list(f.Clients))
		}
		if f.Adapter != "" {
			fmt.Fprintf(&b, "  adapter: %s\n", p(f.Adapter))
		}
		if f.Note != "" {
			fmt.Fprintf(&b, "  note:    %s\n", p(f.Note))
		}
		writeSkips(&b, f.Skipped)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeSkips(b *strings.Builder, ss []Skip) {
	for _, s := range ss {
		fmt.Fprintf(b, "  skipped: %s: %s\n", safetext.Printable(s.Where), safetext.Printable(s.Why))
	}
}
