package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// TestParseErrors checks that each mistake is reported at the right place
// with a message that says what was expected. Positions are 1-based; the
// column counts characters.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		line, col int
		msg       string // a substring of Error.Msg
	}{
		{"unknown key", "[vpn]\nname = \"x\"\n  prots = [\"udp/1\"]\n", 3, 3, `unknown key "prots" in [vpn]; want one of name, ports, devices, clients, adapter, reconnect`},
		{"unknown table", "[vpn]\nname = \"x\"\n\n[tunnel]\nx = 1\n", 4, 1, `unknown key "tunnel"; want one of the tables [vpn], [ssh], [check]`},
		{"unknown top-level key", "interval = \"30s\"\n", 1, 1, `unknown key "interval"`},
		{"unknown dotted key", "[vpn]\nports.extra = 1\n", 2, 7, `vpn.ports is not a table`},
		{"port out of range", "[vpn]\nports = [\"udp/1194\", \"udp/99999\"]\n", 2, 22, `bad port "udp/99999"; want tcp/PORT or udp/PORT with PORT 1..65535`},
		{"element after a comment", "[vpn]\nports = [ # not \"udp/0\" here\n  \"udp/0\"]\n", 3, 3, `bad port "udp/0"`},
		{"inline table", "vpn = {ports = [\"udp/0\"]}\n", 1, 17, `bad port "udp/0"`},
		{"port zero", "[vpn]\nports = [\n  \"udp/1194\",\n  \"tcp/0\",\n]\n", 4, 3, `bad port "tcp/0"`},
		{"port bad protocol", "[vpn]\nports = ['sctp/5']\n", 2, 10, `bad port "sctp/5"; want tcp/PORT or udp/PORT`},
		{"port without protocol", "[vpn]\nports = [\"1194\"]\n", 2, 10, `bad port "1194"`},
		{"port as number", "[vpn]\nports = [1194]\n", 2, 10, `vpn.ports must hold only strings such as ["udp/1194", "tcp/443"]; found an integer`},
		{"ports as string", "[vpn]\nports = \"udp/1194\"\n", 2, 1, `vpn.ports must be an array of strings such as ["udp/1194", "tcp/443"], not a string`},
		{"empty device", "[vpn]\ndevices = [\"/dev/ttyS0\", \"\"]\n", 2, 26, `empty device path; want an absolute path such as "/dev/ttyUSB0" or a COM port such as "COM3"`},
		{"relative device", "[vpn]\ndevices = [\"ttyUSB0\"]\n", 2, 12, `device "ttyUSB0" is neither an absolute path nor a COM port`},
		{"bad COM port", "[vpn]\ndevices = [\"COM0\"]\n", 2, 12, `device "COM0"`},
		{"empty client", "[vpn]\nclients = [\"openvpn\", \" \"]\n", 2, 23, `empty client name; want a program name such as "openvpn"`},
		{"client path", "[vpn]\nclients = [\"/usr/sbin/openvpn\"]\n", 2, 12, `client "/usr/sbin/openvpn" is a path`},
		{"reconnect string", "[vpn]\nreconnect = \"nmcli connection up work\"\n", 2, 1, `reconnect must be an argv array, e.g. ["nmcli", "connection", "up", "work"]; a shell string is never run`},
		{"reconnect empty program", "[vpn]\nreconnect = [\"\", \"up\"]\n", 2, 14, `reconnect[0] is empty; want the program to run`},
		{"reconnect number", "[vpn]\nreconnect = [\"nmcli\", 5]\n", 2, 23, `vpn.reconnect must hold only strings`},
		{"name empty", "[vpn]\nname = \"\"\n", 2, 1, `vpn.name is empty`},
		{"name number", "[vpn]\n\tname = 5\n", 2, 2, `vpn.name must be a string, not an integer`},
		{"interval unparsable", "[check]\ninterval = \"30\"\n", 2, 1, `interval "30" is not a duration; want e.g. "30s" or "2m"`},
		{"interval too short", "[check]\ninterval = \"500ms\"\n", 2, 1, `interval "500ms" is below the minimum of 1s`},
		{"interval integer", "[check]\ninterval = 30\n", 2, 1, `interval must be a duration string such as "30s" or "2m", not an integer`},
		{"forward port range", "[ssh]\nforward_ports = [8080, 70000]\n", 2, 24, `forward port 70000 is out of range; want 1..65535`},
		{"forward port zero", "[ssh]\nforward_ports = [10, 0]\n", 2, 22, `forward port 0 is out of range`},
		{"forward port string", "[ssh]\nforward_ports = [\"8080\"]\n", 2, 18, `ssh.forward_ports must hold only port numbers such as 8080; found a string`},
		{"table as value", "vpn = 5\n", 1, 1, `vpn must be a table ([vpn]), not an integer`},
		{"array of tables", "[[vpn]]\nname = \"x\"\n", 1, 1, `vpn must be a table ([vpn]), not an array of tables`},
		{"duplicate key", "[vpn]\nname = \"a\"\nname = \"b\"\n", 3, 1, `invalid TOML: Key 'vpn.name' has already been defined. (each key and table may appear only once)`},
		{"duplicate table", "[vpn]\n[check]\n[vpn]\n", 3, 2, `has already been defined`},
		{"syntax error", "[vpn]\nname = \n", 2, 8, `invalid TOML: expected value`},
		{"unterminated array", "[vpn]\nports = [\"udp/1\",\n", 2, 18, `invalid TOML: unexpected EOF`},
		{"first error wins", "[vpn]\nports = [\"udp/0\"]\ndevices = [\"\"]\n", 2, 10, `bad port "udp/0"`},
		{"column counts characters", "[vpn]\nname = \"é\" \nports = [\"é/1\"]\n", 3, 10, `bad port "é/1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("my.toml", []byte(tt.src))
			if cfg != nil {
				t.Errorf("Parse returned a config with the error: %+v", cfg)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse error = %v (%T), want *Error", err, err)
			}
			if e.File != "my.toml" || e.Line != tt.line || e.Col != tt.col || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("got  %s:%d:%d: %s\nwant my.toml:%d:%d: ...%s...", e.File, e.Line, e.Col, e.Msg, tt.line, tt.col, tt.msg)
			}
			if prefix := e.File + ":"; !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("Error() = %q, want it to start with %q", err.Error(), prefix)
			}
		})
	}
}

func TestErrorWrapsTOMLError(t *testing.T) {
	_, err := Parse("x.toml", []byte("a = = 1"))
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v does not wrap a toml.ParseError", err)
	}
	if got := err.Error(); !strings.HasPrefix(got, "x.toml:1:") {
		t.Errorf("Error() = %q", got)
	}
}

func TestErrorFormat(t *testing.T) {
	e := &Error{File: "f.toml", Line: 3, Col: 7, Msg: "bad"}
	if got := e.Error(); got != "f.toml:3:7: bad" {
		t.Errorf("Error() = %q", got)
	}
	e = &Error{File: "f.toml", Msg: "unreadable"}
	if got := e.Error(); got != "f.toml: unreadable" {
		t.Errorf("Error() = %q", got)
	}
}
