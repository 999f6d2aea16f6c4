package discover

import (
	"bytes"
	"strings"

	"github.com/traycheck/traycheck/internal/safefile"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// PhonebookEntry finds the entry named name (case-insensitive, as Windows
// compares entry names) in the phonebooks at paths and returns the
// resources it needs: its COM port for a dial-up entry, the fixed local
// ports of its VPN strategy. ok is false when no phonebook has the entry.
func PhonebookEntry(paths []string, name string) (rs []vpnport.Resource, ok bool) {
	for _, p := range paths {
		b, err := safefile.ReadFile(p, maxFileSize)
		if err != nil {
			continue
		}
		entries, _, err := parseRasphone(bytes.NewReader(b))
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !strings.EqualFold(e.name, name) {
				continue
			}
			f, _ := e.found(p)
			return f.resources(), true
		}
	}
	return nil, false
}
