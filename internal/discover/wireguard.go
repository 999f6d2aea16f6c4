package discover

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// parseWireGuard returns the ListenPort of a WireGuard configuration's
// [Interface] section (0 when it sets none: the port is then random).
func parseWireGuard(r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	section := ""
	port := 0
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
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
		p, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || p < 0 || p > 65535 {
			return 0, fmt.Errorf("line %d: ListenPort %q is not a port", n, strings.TrimSpace(v))
		}
		port = p
	}
	return port, sc.Err()
}

func wireGuardDir(dir string) []Found {
	var out []Found
	for _, path := range findFiles(dir, ".conf") {
		f := Found{Source: path, Kind: KindWireGuard, Name: stem(path), Adapter: stem(path),
			Clients: []string{"wireguard-go", "wg-quick", "wireguard"}}
		b, err := readSource(path)
		if err != nil {
			f.Note = unreadableNote(err)
			out = append(out, f)
			continue
		}
		port, err := parseWireGuard(bytes.NewReader(b))
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
	return out
}
