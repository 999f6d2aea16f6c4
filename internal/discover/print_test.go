package discover

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/safetext"
)

// hostileNames are what a user's file can carry into discovery's output:
// ESC sequences, an OSC 52 clipboard write, BEL, CR, NUL, a C1 CSI, bidi
// overrides and invalid UTF-8.
var hostileNames = []string{
	"\x1b[2J\x1b[31mred",
	"\x1b]52;c;aGVsbG8=\a",
	"\x1b]0;title\x1b\\",
	"bell\a",
	"over\rwrite",
	"nul\x00byte",
	"c1\u009b31m",
	"bidi\u202etxt.exe\u202c",
	"iso\u2066x\u2069",
	"bad\xff\xfeutf8",
	"line\u2028sep",
}

// raw reports the first hidden rune or invalid byte that would reach a
// terminal raw from out.
func raw(out []byte) (string, bool) {
	for i := 0; i < len(out); {
		r, n := utf8.DecodeRune(out[i:])
		if r == utf8.RuneError && n <= 1 {
			return fmt.Sprintf("invalid UTF-8 at byte %d", i), true
		}
		if r != '\n' && safetext.IsHidden(r) {
			return strings.ToValidUTF8(string(r), "?"), true
		}
		i += n
	}
	return "", false
}

func hostileFound() []Found {
	var out []Found
	for _, n := range hostileNames {
		// A device's file name holds no NUL (config refuses one).
		client := n
		if strings.ContainsAny(n, `/\`) {
			client = "openvpn" // config refuses a client name with a path in it
		}
		out = append(out, Found{
			Source: "/home/u/" + n + ".ovpn", Kind: KindOpenVPN, Name: n,
			Ports: []string{"udp/1194"}, Devices: []string{"/dev/" + strings.ReplaceAll(n, "\x00", "")}, Clients: []string{client},
			Adapter: n, Reconnect: []string{"nmcli", "connection", "up", n}, Note: "note " + n,
			Skipped: []Skip{{Where: "/home/u/" + n + ":3", Why: "Include " + n + ": already read"}},
		})
	}
	return out
}

func TestEveryDiscoveryPrinterEscapes(t *testing.T) {
	t.Parallel()
	found := hostileFound()
	def := config.Default()
	applied := Apply(def, found)
	l := Layers{Effective: applied, Discovered: applied, Found: found}
	for name, print := range map[string]func(*bytes.Buffer) error{
		"config discover":        func(b *bytes.Buffer) error { return Print(b, found, false) },
		"config discover --json": func(b *bytes.Buffer) error { return Print(b, found, true) },
		"config show":            func(b *bytes.Buffer) error { return Show(b, l, false) },
		"config show --json":     func(b *bytes.Buffer) error { return Show(b, l, true) },
		"config init --discover": func(b *bytes.Buffer) error {
			text, err := TOML(found)
			b.Write(text)
			return err
		},
	} {
		var b bytes.Buffer
		if err := print(&b); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if r, bad := raw(b.Bytes()); bad {
			t.Errorf("%s prints %q raw:\n%s", name, r, strings.ToValidUTF8(b.String(), "?"))
		}
		if !strings.Contains(b.String(), "already read") && name != "config init --discover" {
			t.Errorf("%s does not say what was skipped:\n%s", name, b.String())
		}
	}
	// The JSON stays faithful: a program reading it gets the names back.
	var b bytes.Buffer
	Print(&b, found, true)
	var doc struct {
		Found []Found `json:"found"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for i, f := range doc.Found {
		want := string([]rune(hostileNames[i])) // each invalid byte a U+FFFD, as encoding/json writes it
		if f.Name != want || f.Skipped[0].Why != "Include "+want+": already read" {
			t.Errorf("JSON gives %q / %q, want %q", f.Name, f.Skipped[0].Why, want)
		}
	}
	b.Reset()
	Show(&b, l, true)
	var show map[string]json.RawMessage
	if err := json.Unmarshal(b.Bytes(), &show); err != nil || show[ShowSkippedKey] == nil {
		t.Errorf("config show --json: %v, keys %d, skipped %s", err, len(show), show[ShowSkippedKey])
	}
}
