package discover

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/traycheck/traycheck/internal/portnum"
)

// parseWireGuard returns the ListenPort of a WireGuard configuration's
// [Interface] section (0 when it sets none or sets 0: the port is then
// random), and the numbers of lines too long to read.
func parseWireGuard(r io.Reader) (port int, long []int, err error) {
	lr := newLineReader(r)
	section := ""
	for {
		line, ok := lr.next()
		if !ok {
			break
		}
		line = strings.TrimSpace(line)
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "[") {
			section = strings.ToLower(strings.Trim(line, "[] "))
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || section != "interface" || !strings.EqualFold(strings.TrimSpace(k), "ListenPort") {
			continue
		}
		p, err := portnum.Parse(strings.TrimSpace(v))
		if err != nil && !errors.Is(err, portnum.ErrZero) {
			return 0, lr.long, fmt.Errorf("line %d: ListenPort %q is not a port", lr.n, strings.TrimSpace(v))
		}
		port = int(p)
	}
	return port, lr.long, lr.err
}

func wireGuardDir(b *budget, dir string) []Found {
	var out []Found
	paths, walkSkips := findFiles(dir, ".conf")
	for i, path := range paths {
		f := Found{Source: path, Kind: KindWireGuard, Name: stem(path), Adapter: stem(path),
			Clients: []string{"wireguard-go", "wg-quick", "wireguard"}}
		data, err := b.read(path)
		if errors.Is(err, errBudget) {
			walkSkips = append(walkSkips, Skip{Where: path, Why: why(err)})
			if rest := len(paths) - i - 1; rest > 0 {
				walkSkips = append(walkSkips, Skip{Where: dir, Why: fmt.Sprintf("%d more configurations not read: the discovery's budget is spent", rest)})
			}
			break
		}
		if errors.Is(err, errAlreadyRead) {
			continue
		}
		if err != nil {
			f.Note = unreadableNote(err)
			out = append(out, f)
			continue
		}
		port, long, err := parseWireGuard(bytes.NewReader(data))
		var sk skips
		sk.long(path, long)
		f.Skipped = sk.result()
		switch {
		case err != nil:
			f.Note = "could not be parsed: " + err.Error()
		case port == 0:
			f.Note = "no ListenPort: WireGuard picks a random port"
		default:
			f.addPort("udp", port)
		}
		out = append(out, f)
	}
	if len(walkSkips) > 0 {
		out = append(out, Found{Source: dir, Kind: KindWireGuard, Name: "WireGuard configurations in " + dir, Skipped: walkSkips})
	}
	return out
}
