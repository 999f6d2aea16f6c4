package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteShowJSON writes settings as `traycheck config show --json` prints
// them: {"vpn.ports": {"value": [...], "source": "policy"}, ...}, keys in
// ShowKeys order.
func WriteShowJSON(w io.Writer, settings []Setting) error {
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, s := range settings {
		k, _ := json.Marshal(s.Key)
		v, err := json.Marshal(s)
		if err != nil {
			return fmt.Errorf("config show: %w", err)
		}
		sep := ","
		if i == len(settings)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "  %s: %s%s\n", k, v, sep)
	}
	b.WriteString("}\n")
	_, err := w.Write(b.Bytes())
	return err
}

// WriteShowText writes settings one per line: key, value, source.
func WriteShowText(w io.Writer, settings []Setting) error {
	var b strings.Builder
	for _, s := range settings {
		v, _ := json.Marshal(s.Value)
		fmt.Fprintf(&b, "%-22s %-10s %s\n", s.Key, s.Source, v)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
