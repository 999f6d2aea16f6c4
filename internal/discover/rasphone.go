package discover

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/traycheck/traycheck/internal/vpnport/serial"
)

// rasEntry is one entry of a Windows RAS phonebook (rasphone.pbk), an INI
// file with a [section] per connection.
type rasEntry struct {
	name     string
	typ      int // RASET_*: 1 phone (dial-up), 2 VPN, 3 direct, 4 internet, 5 broadband
	strategy int // VS_*: how a VPN entry picks its protocol
	ports    []string
	devices  []string // "Device=" names, for the note
}

// parseRasphone reads a phonebook's entries in file order. A dial-up entry
// lists its modem as "PORT=COM3" (and "Device=" with the modem's name).
// Lines too long to read are numbered in long.
func parseRasphone(r io.Reader) (out []rasEntry, long []int, err error) {
	lr := newLineReader(r)
	for {
		line, ok := lr.next()
		if !ok {
			break
		}
		line = strings.TrimSpace(strings.TrimPrefix(line, "\ufeff"))
		if line == "" || line[0] == ';' {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			out = append(out, rasEntry{name: line[1 : len(line)-1]})
			continue
		}
		if len(out) == 0 {
			continue
		}
		e := &out[len(out)-1]
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "type":
			e.typ, _ = strconv.Atoi(v)
		case "vpnstrategy":
			e.strategy, _ = strconv.Atoi(v)
		case "port":
			e.ports = append(e.ports, strings.TrimSpace(v))
		case "device":
			e.devices = append(e.devices, strings.TrimSpace(v))
		}
	}
	return out, lr.long, lr.err
}

// VPN strategies (ras.h VS_*) and the local ports each binds. Only L2TP/IPsec
// and IKEv2 bind fixed local ports (the IKE service's 500/4500, L2TP's 1701):
// PPTP (tcp/1723) and SSTP (tcp/443) are the server's ports, reached from a
// random local one, so a local program on them cannot block the dial.
var rasStrategies = map[int]struct {
	name  string
	ports []string
}{
	0:  {"automatic", []string{"udp/500", "udp/4500", "udp/1701"}},
	1:  {"PPTP", nil},
	2:  {"PPTP first", []string{"udp/500", "udp/4500", "udp/1701"}},
	3:  {"L2TP/IPsec", []string{"udp/500", "udp/4500", "udp/1701"}},
	4:  {"L2TP first", []string{"udp/500", "udp/4500", "udp/1701"}},
	5:  {"SSTP", nil},
	6:  {"SSTP first", []string{"udp/500", "udp/4500", "udp/1701"}},
	7:  {"IKEv2", []string{"udp/500", "udp/4500"}},
	8:  {"IKEv2 first", []string{"udp/500", "udp/4500", "udp/1701"}},
	12: {"PPTP, then SSTP", nil},
	13: {"L2TP, then SSTP", []string{"udp/500", "udp/4500", "udp/1701"}},
	14: {"IKEv2, then SSTP", []string{"udp/500", "udp/4500"}},
}

func (e rasEntry) found(source string) (Found, bool) {
	f := Found{Source: source, Kind: KindRAS, Name: e.name, Clients: []string{"rasdial", "rasphone"}}
	switch e.typ {
	case 2:
		s, ok := rasStrategies[e.strategy]
		if !ok {
			s = rasStrategies[0]
			f.addNote("unknown VpnStrategy " + strconv.Itoa(e.strategy) + ": watching the automatic strategy's ports")
		}
		f.Ports = append(f.Ports, s.ports...)
		if len(s.ports) == 0 {
			f.addNote(s.name + " connects to the server's port from a random local one: no fixed local port to watch")
		} else {
			f.addNote("VPN, " + s.name)
		}
		f.Reconnect = []string{"rasdial", e.name}
	case 1, 3:
		for _, p := range e.ports {
			if name, ok := serial.COMName(strings.TrimSpace(p)); ok {
				f.Devices = append(f.Devices, name)
			}
		}
		if len(e.devices) > 0 {
			f.addNote("dial-up through " + strings.Join(e.devices, ", "))
		}
		if len(f.Devices) == 0 {
			return Found{}, false
		}
		f.Reconnect = []string{"rasdial", e.name}
	default:
		return Found{}, false
	}
	return f, true
}

func phonebookFile(b *budget, path string) []Found {
	data, err := b.read(path)
	if err != nil {
		if isNotExist(err) || errors.Is(err, errAlreadyRead) {
			return nil
		}
		return []Found{{Source: path, Kind: KindRAS, Name: "RAS phonebook", Note: unreadableNote(err)}}
	}
	entries, long, err := parseRasphone(bytes.NewReader(data))
	if err != nil {
		return []Found{{Source: path, Kind: KindRAS, Name: "RAS phonebook", Note: "could not be parsed: " + err.Error()}}
	}
	var out []Found
	for _, e := range entries {
		if f, ok := e.found(path); ok {
			out = append(out, f)
		}
	}
	if len(long) > 0 {
		var sk skips
		sk.long(path, long)
		out = append(out, Found{Source: path, Kind: KindRAS, Name: "RAS phonebook", Skipped: sk.result()})
	}
	return out
}
