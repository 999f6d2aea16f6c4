package config

import (
	"errors"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, and must
// return either a complete config or an *Error, never both nor neither.
func FuzzParse(f *testing.F) {
	f.Add(DefaultTOML())
	for _, s := range []string{
		"[vpn]\nports = [\"udp/99999\"]\n",
		"[vpn]\nreconnect = \"nmcli up\"\n",
		"vpn = {ports = [\"udp/1\"], devices = [\"COM3\"]}\n",
		"[[vpn]]\n[ssh]\nforward_ports = [0]\n",
		"[check]\ninterval = \"0.5s\"\n",
		"a = = 1",
		"[vpn]\nports = [ # \"udp/0\"\n \"udp/0\"]\n",
		"\"vpn\".\"x,\\\"y\" = 1\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return // Load refuses big files; keep each run quick
		}
		cfg, err := Parse("fuzz.toml", data)
		if (cfg == nil) == (err == nil) {
			t.Fatalf("Parse = %v, %v: want exactly one of config and error", cfg, err)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.File != "fuzz.toml" || e.Line < 0 || e.Col < 0 || e.Msg == "" {
				t.Fatalf("error %#v is not a well-formed *Error", err)
			}
			return
		}
		if cfg.Interval < MinInterval || cfg.VPNName == "" {
			t.Fatalf("accepted config breaks an invariant: %+v", cfg)
		}
		for _, r := range cfg.Ports {
			if r.Port == 0 {
				t.Fatalf("accepted port 0: %v", cfg.Ports)
			}
		}
		if len(cfg.Reconnect) > 0 && cfg.Reconnect[0] == "" {
			t.Fatalf("accepted an empty reconnect program: %q", cfg.Reconnect)
		}
	})
}
