package discover

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes found as `traycheck config discover --json` prints it:
// {"found": [...]}, with found an array even when empty.
func WriteJSON(w io.Writer, found []Found) error {
	if found == nil {
		found = []Found{}
	}
	for i := range found {
		found[i].normalize()
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Found []Found `json:"found"`
	}{found})
}

// WriteText writes found for a person: one block per configuration, what it
// needs and where it was read.
func WriteText(w io.Writer, found []Found) error {
	if len(found) == 0 {
		_, err := fmt.Fprintln(w, "no VPN configuration found: traycheck watches the well-known VPN ports (`traycheck config show`)")
		return err
	}
	var b strings.Builder
	for _, f := range found {
		fmt.Fprintf(&b, "%-14s %s\n", f.Kind, f.Name)
		fmt.Fprintf(&b, "  source:  %s\n", f.Source)
		if len(f.Ports) > 0 {
			fmt.Fprintf(&b, "  ports:   %s\n", strings.Join(f.Ports, ", "))
		}
		if len(f.Devices) > 0 {
			fmt.Fprintf(&b, "  devices: %s\n", strings.Join(f.Devices, ", "))
		}
		if len(f.Clients) > 0 {
			fmt.Fprintf(&b, "  clients: %s\n", strings.Join(f.Clients, ", "))
		}
		if f.Adapter != "" {
			fmt.Fprintf(&b, "  adapter: %s\n", f.Adapter)
		}
		if f.Note != "" {
			fmt.Fprintf(&b, "  note:    %s\n", f.Note)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
