package fleet

import (
	"bytes"
	"fmt"
)

// Catalog returns the journald message catalog for Table, as installed in
// /usr/lib/systemd/catalog/traycheck.catalog by the packages: `journalctl -x`
// shows each entry's explanation with its @TRAYCHECK_...@ fields filled in.
// traycheck.catalog beside this file is this output (a test keeps them equal).
func Catalog() []byte {
	var b bytes.Buffer
	b.WriteString("# traycheck's journal message catalog (generated from internal/fleet.Table; do not edit)\n")
	for _, s := range Table {
		fmt.Fprintf(&b, "\n-- %s\nSubject: traycheck: %s\nDefined-By: traycheck\n\n%s\n", s.MessageID, s.Subject, s.Explain)
	}
	return b.Bytes()
}
