package explain

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/findingprint"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// A text that names no port says so before anything else, and the
// configured ports are a separate, labelled look.
func TestWriteTextNoPortSaysSoFirst(t *testing.T) {
	m := diagnose.Explain("Error: bind: Address already in use")
	udp500 := vpnport.Resource{Kind: vpnport.UDP, Port: 500}
	sc := Scope{ScopeConfigured, []vpnport.Resource{udp500}}
	fs := []diagnose.Finding{diagnose.Diagnose(vpnport.Observation{Resource: udp500}, diagnose.Context{})}
	var b bytes.Buffer
	WriteText(&b, findingprint.Style{}, m, sc, fs, nil)
	lines := strings.Split(b.String(), "\n")
	if lines[0] != "This text names no port." {
		t.Fatalf("first line %q, want the no-port sentence\n%s", lines[0], b.String())
	}
	if !strings.Contains(b.String(), "Your configured ports, in case it is one of them: udp/500\n") {
		t.Errorf("no labelled configured look:\n%s", b.String())
	}
	var j bytes.Buffer
	WriteJSON(&j, NewJSON(m, sc, fs))
	var v struct {
		Resource *json.RawMessage `json:"resource"`
		Findings []struct {
			Scope string `json:"scope"`
			Cause string `json:"cause"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(j.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if v.Resource != nil || len(v.Findings) != 1 || v.Findings[0].Scope != "configured" {
		t.Fatalf("JSON %s", j.String())
	}
}

// A text that names a port: no no-port sentence, the other ports it
// mentions shown as such, findings scoped "named".
func TestWriteTextNamedWithAlso(t *testing.T) {
	m := diagnose.Explain("listening on 127.0.0.1:9000\nready\nWarning: Address already in use: bind 0.0.0.0:1701")
	if m.Resource.Port != 1701 || len(m.Also) != 1 || m.Also[0].Port != 9000 {
		t.Fatalf("match %+v", m)
	}
	sc := Resources(m, nil)
	if sc.Kind != ScopeNamed {
		t.Fatalf("scope %v", sc)
	}
	var b bytes.Buffer
	WriteText(&b, findingprint.Style{}, m, sc, nil, nil)
	out := b.String()
	if strings.Contains(out, "names no port") || !strings.HasPrefix(out, "address-in-use (EADDRINUSE): tcp/1701 and udp/1701 on 0.0.0.0") {
		t.Errorf("output:\n%s", out)
	}
	if !strings.Contains(out, "Also mentioned in the text, not checked (the error is nearest to port 1701): port 9000 on 127.0.0.1") {
		t.Errorf("no also-mentioned line:\n%s", out)
	}
	var j bytes.Buffer
	WriteJSON(&j, NewJSON(m, sc, []diagnose.Finding{{Resource: vpnport.Resource{Kind: vpnport.UDP, Port: 1701}, Cause: diagnose.Free}}))
	for _, want := range []string{`"also_mentioned": [`, `"port": 9000`, `"scope": "named"`} {
		if !strings.Contains(j.String(), want) {
			t.Errorf("JSON lacks %s:\n%s", want, j.String())
		}
	}
}

// Issue 25: RAS 633 explained on Linux gives Linux's commands.
func TestRAS633AdviceFitsTheOS(t *testing.T) {
	m := diagnose.Explain("Error 633")
	if strings.Contains(m.Explanation, "netstat -ano") == (goosIsNotWindows()) {
		t.Errorf("explanation on this OS: %s", m.Explanation)
	}
}

func TestResolvePathsTakesCharacterDevices(t *testing.T) {
	m := diagnose.Explain("Device file is locked by another process\nconfig: port = /tmp/does-not-exist-tc\nlink: " + devNull())
	m = ResolvePaths(m)
	if devNull() != "" && m.Resource.Path != devNull() {
		t.Errorf("resource %+v, want the character device %s", m.Resource, devNull())
	}
}
