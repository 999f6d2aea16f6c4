package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/traycheck/traycheck/internal/portnum"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// EmbeddedSource is Config.Source for the embedded default.
const EmbeddedSource = "(embedded default)"

// Parse reads a config from data; name is the file name used in errors. It
// returns a complete, validated *Config, or nil and an *Error naming the line
// and column of the first problem. Keys left out take the embedded default's
// value (name, clients, interval) or mean "none" (ports, devices, adapter,
// reconnect, forward_ports).
func Parse(name string, data []byte) (*Config, error) {
	cfg, err := parse(name, data, Default())
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// parse is Parse with the config that fills keys left out; base is nil only
// while parsing the embedded default itself.
func parse(name string, data []byte, base *Config) (*Config, *Error) {
	return parseWith(name, data, base, nil)
}

// parseWith is parse that also accepts the [policy] table, into pol, when
// pol is not nil (a machine policy file).
func parseWith(name string, data []byte, base *Config, pol *Policy) (*Config, *Error) {
	var doc map[string]any
	md, err := toml.Decode(string(data), &doc)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fromParseError(name, data, pe)
		}
		return nil, &Error{File: name, Msg: "invalid TOML: " + err.Error(), Err: err}
	}
	p := &parser{name: name, data: data, doc: doc, pol: pol}
	cfg := &Config{Source: name}
	if base != nil {
		cfg.VPNName = base.VPNName
		cfg.Clients = append([]string(nil), base.Clients...)
		cfg.Interval = base.Interval
		cfg.NoDiscover = base.NoDiscover
	}
	// Walk the keys in document order so the error reported is the first one
	// in the file, whatever the map order.
	for _, key := range md.Keys() {
		if err := p.apply(cfg, key); err != nil {
			return nil, err
		}
		if (len(key) == 2 && key[0] != "policy") || (len(key) == 1 && key[0] == DiscoverKey) {
			cfg.Keys = append(cfg.Keys, key.String())
		}
	}
	if cfg.VPNName == "" || cfg.Interval == 0 {
		// Only the embedded default has no base; its test keeps it complete.
		return nil, &Error{File: name, Msg: "vpn.name and check.interval are required"}
	}
	return cfg, nil
}

// MaxPorts and MaxDevices bound one config: a VPN uses a handful of ports
// and devices, every one of them is probed on each check, and a list of
// tens of thousands (a typo'd generator, an attack on the parser) would make
// each check take a minute. MaxPorts applies to vpn.ports and to
// ssh.forward_ports each.
const (
	MaxPorts   = 256
	MaxDevices = 64
)

// tooMany is the error for an array longer than limit.
func (p *parser) tooMany(key toml.Key, n, limit int, what string) *Error {
	return p.keyErr(key, "%s lists %d %s; traycheck watches at most %d, list the ones the VPN needs", key, n, what, limit)
}

// schema lists every key a config may have, by table; errors about unknown
// keys quote it.
var schema = map[string][]string{
	"vpn":   {"name", "ports", "devices", "clients", "adapter", "reconnect"},
	"ssh":   {"forward_ports"},
	"check": {"interval"},
}

type parser struct {
	name string
	data []byte
	doc  map[string]any
	pol  *Policy // non-nil while parsing a machine policy
}

func (p *parser) apply(cfg *Config, key toml.Key) *Error {
	if msg := p.unknownKey(key); msg != "" {
		return p.errAt(keyOffset(p.data, key), "%s", msg)
	}
	v := p.value(key)
	if len(key) == 1 && key[0] == DiscoverKey {
		b, ok := v.(bool)
		if !ok {
			return p.keyErr(key, "discover must be true or false, not %s", typeName(v))
		}
		cfg.NoDiscover = !b
		return nil
	}
	if len(key) == 1 {
		if _, ok := v.(map[string]any); !ok {
			return p.keyErr(key, "%s must be a table ([%s]), not %s", key, key, typeName(v))
		}
		return nil
	}
	var err *Error
	switch key.String() {
	case "vpn.name":
		cfg.VPNName, err = p.str(key, v)
		if err == nil && strings.TrimSpace(cfg.VPNName) == "" {
			err = p.keyErr(key, `vpn.name is empty; want the VPN's display name, e.g. "work"`)
		}
	case "vpn.adapter":
		cfg.Adapter, err = p.str(key, v)
	case "vpn.ports":
		cfg.Ports, err = p.ports(key, v)
	case "vpn.devices":
		cfg.Devices, err = p.devices(key, v)
	case "vpn.clients":
		cfg.Clients, err = p.clients(key, v)
	case "vpn.reconnect":
		cfg.Reconnect, err = p.reconnect(key, v)
	case "ssh.forward_ports":
		cfg.SSHForwardPorts, err = p.forwardPorts(key, v)
	case "check.interval":
		cfg.Interval, err = p.interval(key, v)
	default:
		if key[0] == "triggers" {
			err = p.trigger(cfg, key, v)
		} else if p.pol != nil {
			err = p.policyKey(key, v)
		}
	}
	return err
}

// unknownKey returns why key is not part of the schema, or "" if it is.
// Only the first unknown piece is named: under an unknown table every key
// is unknown, and one message is enough.
func (p *parser) unknownKey(key toml.Key) string {
	if key[0] == DiscoverKey {
		if len(key) > 1 {
			return fmt.Sprintf("unknown key %q under %s; %s is true or false, not a table", key[1], DiscoverKey, DiscoverKey)
		}
		return ""
	}
	keys, ok := schema[key[0]]
	if p.pol != nil && key[0] == "policy" {
		keys, ok = policySchema, true
	}
	if !ok {
		if p.pol != nil {
			return fmt.Sprintf("unknown key %q; want one of the tables [vpn], [ssh], [check], [policy]", key[0])
		}
		return fmt.Sprintf("unknown key %q; want one of the tables [vpn], [ssh], [check]", key[0])
	}
	if len(key) == 1 {
		return ""
	}
	if key[1] == DiscoverKey {
		return fmt.Sprintf("discover is a top-level key, not one of [%s]: put `discover = false` above the first [table]", key[0])
	}
	for _, k := range keys {
		if k == key[1] {
			if len(key) > 2 {
				return fmt.Sprintf("unknown key %q under %s.%s; %s.%s is not a table", key[2], key[0], key[1], key[0], key[1])
			}
			return ""
		}
	}
	return fmt.Sprintf("unknown key %q in [%s]; want one of %s", key[1], key[0], strings.Join(keys, ", "))
}

// value returns the decoded value at key (only called for schema keys, which
// are at most two deep).
func (p *parser) value(key toml.Key) any {
	var v any = p.doc
	for _, k := range key {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func (p *parser) errAt(off int, format string, args ...any) *Error {
	e := &Error{File: p.name, Msg: fmt.Sprintf(format, args...)}
	if off >= 0 {
		e.Line, e.Col = lineCol(p.data, off)
	}
	return e
}

func (p *parser) keyErr(key toml.Key, format string, args ...any) *Error {
	return p.errAt(keyOffset(p.data, key), format, args...)
}

func (p *parser) elemErr(key toml.Key, elem any, format string, args ...any) *Error {
	return p.errAt(elemOffset(p.data, key, elem), format, args...)
}

func (p *parser) str(key toml.Key, v any) (string, *Error) {
	s, ok := v.(string)
	if !ok {
		return "", p.keyErr(key, "%s must be a string, not %s", key, typeName(v))
	}
	return s, nil
}

// strings returns v as a list of strings; example is shown when v is not.
func (p *parser) strings(key toml.Key, v any, example string) ([]string, *Error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, p.keyErr(key, "%s must be an array of strings such as %s, not %s", key, example, typeName(v))
	}
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		s, ok := e.(string)
		if !ok {
			return nil, p.elemErr(key, e, "%s must hold only strings such as %s; found %s", key, example, typeName(e))
		}
		out = append(out, s)
	}
	return out, nil
}

func (p *parser) ports(key toml.Key, v any) ([]vpnport.Resource, *Error) {
	ss, err := p.strings(key, v, `["udp/1194", "tcp/443"]`)
	if err != nil {
		return nil, err
	}
	if len(ss) > MaxPorts {
		return nil, p.tooMany(key, len(ss), MaxPorts, "ports")
	}
	out := make([]vpnport.Resource, 0, len(ss))
	for _, s := range ss {
		r, ok := parsePort(s)
		if !ok {
			return nil, p.elemErr(key, s, "bad port %q; want tcp/PORT or udp/PORT with PORT 1..65535", s)
		}
		if slices.Contains(out, r) {
			return nil, p.elemErr(key, s, "port %q is listed twice; list each port once", s)
		}
		out = append(out, r)
	}
	return out, nil
}

// parsePort accepts exactly "tcp/N" or "udp/N" with N in 1..65535. A bare
// number is refused here, unlike on the command line, because a config
// should say which protocol the VPN uses.
func parsePort(s string) (vpnport.Resource, bool) {
	proto, num, ok := strings.Cut(s, "/")
	if !ok || (proto != "tcp" && proto != "udp") {
		return vpnport.Resource{}, false
	}
	n, err := portnum.Parse(num)
	if err != nil {
		return vpnport.Resource{}, false
	}
	return vpnport.Resource{Kind: vpnport.Kind(proto), Port: n}, true
}

func (p *parser) devices(key toml.Key, v any) ([]vpnport.Resource, *Error) {
	ss, err := p.strings(key, v, `["/dev/ttyUSB0", "COM3"]`)
	if err != nil {
		return nil, err
	}
	if len(ss) > MaxDevices {
		return nil, p.tooMany(key, len(ss), MaxDevices, "devices")
	}
	out := make([]vpnport.Resource, 0, len(ss))
	for _, s := range ss {
		switch {
		case s == "":
			return nil, p.elemErr(key, s, `empty device path; want an absolute path such as "/dev/ttyUSB0" or a COM port such as "COM3"`)
		case !vpnport.IsDevicePath(s):
			return nil, p.elemErr(key, s, `device %q is neither an absolute path nor a COM port; want e.g. "/dev/ttyUSB0" or "COM3"`, s)
		}
		if what := notADevice(s); what != "" {
			return nil, p.elemErr(key, s, `device %q is %s, not a character device; want a serial or modem device such as "/dev/ttyUSB0"`, s, what)
		}
		r := vpnport.Resource{Kind: vpnport.Device, Path: s}
		if slices.Contains(out, r) {
			return nil, p.elemErr(key, s, "device %q is listed twice; list each device once", s)
		}
		out = append(out, r)
	}
	return out, nil
}

func (p *parser) clients(key toml.Key, v any) ([]string, *Error) {
	ss, err := p.strings(key, v, `["openvpn", "charon"]`)
	if err != nil {
		return nil, err
	}
	for _, s := range ss {
		switch {
		case strings.TrimSpace(s) == "":
			return nil, p.elemErr(key, s, `empty client name; want a program name such as "openvpn"`)
		case strings.ContainsAny(s, `/\`):
			return nil, p.elemErr(key, s, "client %q is a path; want the program's name as the process list shows it, without directories", s)
		}
	}
	return ss, nil
}

const reconnectExample = `["nmcli", "connection", "up", "work"]`

func (p *parser) reconnect(key toml.Key, v any) ([]string, *Error) {
	if _, ok := v.(string); ok {
		return nil, p.keyErr(key, "reconnect must be an argv array, e.g. %s; a shell string is never run", reconnectExample)
	}
	argv, err := p.strings(key, v, reconnectExample)
	if err != nil {
		return nil, err
	}
	if len(argv) == 0 {
		return nil, nil // "reconnect = []" is the same as leaving it out
	}
	if strings.TrimSpace(argv[0]) == "" {
		return nil, p.elemErr(key, argv[0], "reconnect[0] is empty; want the program to run, e.g. %s", reconnectExample)
	}
	return argv, nil
}

func (p *parser) forwardPorts(key toml.Key, v any) ([]uint16, *Error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, p.keyErr(key, "%s must be an array of port numbers such as [8080, 5432], not %s", key, typeName(v))
	}
	if len(arr) > MaxPorts {
		return nil, p.tooMany(key, len(arr), MaxPorts, "ports")
	}
	out := make([]uint16, 0, len(arr))
	for _, e := range arr {
		n, ok := e.(int64)
		if !ok {
			return nil, p.elemErr(key, e, "%s must hold only port numbers such as 8080; found %s", key, typeName(e))
		}
		if n < 1 || n > 65535 {
			return nil, p.elemErr(key, e, "forward port %d is out of range; want 1..65535", n)
		}
		if slices.Contains(out, uint16(n)) {
			return nil, p.elemErr(key, e, "forward port %d is listed twice; list each port once", n)
		}
		out = append(out, uint16(n))
	}
	return out, nil
}

func (p *parser) interval(key toml.Key, v any) (time.Duration, *Error) {
	s, ok := v.(string)
	if !ok {
		return 0, p.keyErr(key, `interval must be a duration string such as "30s" or "2m", not %s`, typeName(v))
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		e := p.keyErr(key, `interval %q is not a duration; want e.g. "30s" or "2m"`, s)
		e.Err = err
		return 0, e
	}
	if d < MinInterval {
		return 0, p.keyErr(key, "interval %q is below the minimum of %s; want %s or more", s, MinInterval, MinInterval)
	}
	return d, nil
}

// typeName names a decoded TOML value's type the way the TOML spec does.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case time.Time:
		return "a date-time"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	case []map[string]any:
		return "an array of tables"
	case nil:
		return "nothing"
	}
	return fmt.Sprintf("%T", v)
}
