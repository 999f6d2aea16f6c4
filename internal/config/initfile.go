package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
)

// Origins gives, for a key whose value was discovered, where it was found
// ("/etc/openvpn/client/work.conf"); InitTOML puts it in the key's comment.
type Origins map[string][]string

// initKeys are the keys a user's file may set, in the file's order, with
// the table each belongs to ("" for the top level) and what it means.
var initKeys = []struct{ table, key, help string }{
	{"", DiscoverKey, "read the VPN's and ssh's own configuration files (false: watch only this file's values and the defaults)"},
	{"vpn", "name", "the name shown in the tray, notifications and `traycheck check`"},
	{"vpn", "ports", `local ports the VPN client binds, "udp/PORT" or "tcp/PORT"`},
	{"vpn", "devices", `modem or serial devices it dials through ("/dev/ttyUSB0", "COM3")`},
	{"vpn", "clients", "process names of the VPN client itself (a port they hold is the VPN working)"},
	{"vpn", "adapter", `the adapter "Reset adapter" acts on ("tun0"; empty: no such action)`},
	{"vpn", "reconnect", `an argv run on "Retry", never a shell string, e.g. ["nmcli", "connection", "up", "work"]`},
	{"ssh", "forward_ports", "local ports of your `ssh -L PORT:host:port` forwards"},
	{"check", "interval", `how often traycheck checks ("30s", "2m"; at least 1s)`},
}

// InitTOML is the file `traycheck config init` and the tray's "Open config"
// write: every key commented out, each showing the value in force today and
// where it comes from. Since no key is set, writing it changes nothing about
// what is watched; uncommenting a line sets that key (and only that one).
// settings are Show's; origins say where discovered values were found; note,
// when not empty, is said in the header (why the values shown may be
// incomplete).
func InitTOML(path string, settings []Setting, origins Origins, note string) []byte {
	byKey := map[string]Setting{}
	for _, s := range settings {
		byKey[s.Key] = s
	}
	var b strings.Builder
	b.WriteString("# traycheck configuration")
	if path != "" {
		b.WriteString(": " + commentSafe(path))
	}
	b.WriteString(`
#
# Every key below is commented out. Each shows the value traycheck uses now
# and where it comes from: "default" (built in), "discovered" (read from the
# VPN's or ssh's own configuration, kept current as those files change) or
# "policy" (set by the administrator; a value here cannot change it).
# A key that stays commented keeps following discovery and the defaults;
# uncomment a line to set that key yourself, and only that key.
# ` + "`traycheck config show`" + ` lists the values in force, ` + "`traycheck config validate`" + `
# checks your edits; a running traycheck picks them up within seconds.
`)
	if note != "" {
		b.WriteString("#\n# " + commentSafe(note) + "\n")
	}
	table := ""
	for _, k := range initKeys {
		if k.table != table {
			table = k.table
			fmt.Fprintf(&b, "\n[%s]\n", table)
		}
		full := k.key
		if k.table != "" {
			full = k.table + "." + k.key
		}
		b.WriteString("\n# " + commentSafe(k.help) + "\n")
		s, ok := byKey[full]
		if !ok {
			continue
		}
		from := s.Source
		if s.Source == FromDiscovered && len(origins[full]) > 0 {
			from = "discovered from " + strings.Join(origins[full], ", ")
		}
		fmt.Fprintf(&b, "# %s = %s   # %s\n", k.key, tomlValue(s.Value), commentSafe(from))
	}
	return []byte(b.String())
}

// tomlValue writes a Show value as TOML: JSON's strings, numbers, booleans
// and arrays are TOML's too, given a space after each comma.
func tomlValue(v any) string {
	switch v := v.(type) {
	case []string:
		parts := make([]string, len(v))
		for i, s := range v {
			parts[i] = jsonText(s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []int:
		parts := make([]string, len(v))
		for i, n := range v {
			parts[i] = fmt.Sprint(n)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return jsonText(v)
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return `""`
	}
	return string(b)
}

// commentSafe keeps text on its comment line: a newline in a file or
// profile name would otherwise start a line of TOML.
func commentSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == 0x85 {
			return ' '
		}
		return r
	}, s)
}

var (
	initTextMu sync.Mutex
	initText   func(path string) ([]byte, error)
)

// SetInitText sets how the commented file is rendered with today's
// values: the command sets it to its layered loader (config sits below
// discovery, which it needs). Without it, EnsureUserFile writes the
// defaults, still all commented out.
func SetInitText(f func(path string) ([]byte, error)) {
	initTextMu.Lock()
	defer initTextMu.Unlock()
	initText = f
}

// UserFileText is the text EnsureUserFile and `config init` write to path.
// When the layers cannot be loaded (a malformed policy), the file still
// gets written, with the defaults and a note saying why.
func UserFileText(path string) []byte {
	initTextMu.Lock()
	f := initText
	initTextMu.Unlock()
	if f != nil {
		text, err := f(path)
		if err == nil {
			return text
		}
		return InitTOML(path, Show(Default(), nil, nil, nil), nil,
			"The values in force could not be read ("+err.Error()+"); the defaults are shown.")
	}
	return InitTOML(path, Show(Default(), nil, nil, nil), nil, "")
}

// EnsureUserFile is the tray's "Open config" first step: it creates the
// user's file at path ("": DefaultPath()) when there is none, with every
// key commented out (UserFileText), so opening the config changes nothing
// about what is watched. An existing file is left alone (created false).
func EnsureUserFile(path string) (created bool, err error) {
	if path == "" {
		if path, err = DefaultPath(); err != nil {
			return false, err
		}
	}
	if _, err := os.Lstat(path); err == nil {
		return false, nil
	}
	if err := WriteText(path, UserFileText(path), false); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil // made meanwhile (another click, `config init`)
		}
		return false, err
	}
	return true, nil
}
