package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/ras"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// fixOS pins the OS facts Build reads, for the duration of the test.
func fixOS(t *testing.T, goos string) {
	oldOS, oldIf, oldAddrs, oldRAS, oldEx := osInfo, interfaces, interfaceAddrs, rasConnections, excludedRanges
	t.Cleanup(func() {
		osInfo, interfaces, interfaceAddrs, rasConnections, excludedRanges = oldOS, oldIf, oldAddrs, oldRAS, oldEx
	})
	excludedRanges = func() ([]vpnport.PortRange, error) {
		if goos != "windows" {
			return nil, vpnport.ErrNotImplemented
		}
		return []vpnport.PortRange{{Proto: vpnport.TCP, Start: 50000, End: 50059}, {Proto: vpnport.UDP, Start: 1194, End: 1194, Administered: true}}, nil
	}
	interfaceAddrs = func(*net.Interface) ([]net.Addr, error) {
		return []net.Addr{&net.IPNet{IP: net.IPv4(10, 8, 0, 2), Mask: net.CIDRMask(24, 32)}}, nil
	}
	osInfo = func() OSInfo { return OSInfo{GOOS: goos, GOARCH: "amd64", Name: "Test OS 1", Kernel: "6.1.0-test"} }
	interfaces = func() ([]net.Interface, error) {
		return []net.Interface{{Index: 1, MTU: 1500, Name: "tun0", Flags: net.FlagUp | net.FlagPointToPoint}}, nil
	}
	rasConnections = func() ([]ras.Conn, error) {
		if goos != "windows" {
			return nil, ras.ErrNotImplemented
		}
		return []ras.Conn{{Entry: "alice's VPN", DeviceType: "vpn", DeviceName: "WAN Miniport (IKEv2)", State: "Connected",
			Phonebook: `C:\Users\alice\AppData\Roaming\Microsoft\Network\Connections\Pbk\rasphone.pbk`}}, nil
	}
}

func sampleInput() Input {
	cfg := config.Config{
		Source: "/home/alice/.config/traycheck/config.toml", VPNName: "Office",
		Ports:   []vpnport.Resource{{Kind: vpnport.UDP, Port: 1194}, {Kind: vpnport.TCP, Port: 8080}},
		Devices: []vpnport.Resource{{Kind: vpnport.Device, Path: "/dev/ttyUSB0"}},
		Clients: []string{"openvpn"}, SSHForwardPorts: []uint16{8080},
		Reconnect: []string{"/home/alice/bin/reconnect", "--token", "s3cret"}, Interval: 5 * time.Second,
	}
	ssh := vpnport.Holder{PID: 4242, Name: "ssh", Exe: "/usr/bin/ssh", User: "alice",
		Cmdline: []string{"ssh", "-N", "-L", "8080:db:5432", "alice@bastion.corp"}}
	other := vpnport.Holder{PID: 77, Name: "node", Exe: "/home/bob/.nvm/node", User: "bob", Cmdline: []string{"/home/bob/.nvm/node", "server.js"}}
	obs := []vpnport.Observation{
		{Resource: cfg.Ports[0], Exists: true, Reserved: &vpnport.PortRange{Proto: vpnport.UDP, Start: 1150, End: 1249}},
		{Resource: cfg.Ports[1], Exists: true, Holders: []vpnport.Holder{ssh, other}, Sockets: []vpnport.Socket{
			{Proto: vpnport.TCP, State: vpnport.StateListen}, {Proto: vpnport.TCP, State: vpnport.StateTimeWait}, {Proto: vpnport.TCP, State: vpnport.StateTimeWait}}},
		{Resource: cfg.Devices[0], Exists: true, Busy: true, OpenErr: "open /dev/ttyUSB0: device or resource busy"},
	}
	findings := diagnose.DiagnoseAll(obs, diagnose.Context{Now: time.Unix(1700000000, 0), VPNClients: cfg.Clients, SSHForwardPorts: cfg.SSHForwardPorts})
	return Input{
		Version: "1.2.3", Config: &cfg, Observations: obs, Findings: findings,
		LastResume: time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC),
		Recent: []Event{{At: time.Date(2026, 11, 25, 7, 1, 0, 0, time.UTC), Kind: "action", Resource: "tcp/8080", What: "end-process",
			Detail: "ended ssh (PID 4242) for alice"}},
		Now: time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC),
	}
}

func TestBuildCollectsEverything(t *testing.T) {
	fixOS(t, "windows")
	r := Build(sampleInput())
	if len(r.Resources) != 3 || *r.Resources[1].TimeWait != 2 || *r.Resources[1].Sockets != 3 || !r.Resources[2].Busy {
		t.Fatalf("resources: %+v", r.Resources)
	}
	// The range met on a watched port first, then every other range of the
	// machine (netsh's list), without repeats.
	if len(r.Reserved) != 3 || r.Reserved[0].Start != 1150 || r.Reserved[1].Start != 50000 || r.Reserved[2].Start != 1194 || r.ReservedNote != "" {
		t.Errorf("reserved: %v %q", r.Reserved, r.ReservedNote)
	}
	if len(r.Adapters) != 1 || !r.Adapters[0].Up || r.Adapters[0].Name != "tun0" {
		t.Errorf("adapters: %+v", r.Adapters)
	}
	if len(r.RAS) != 1 || r.RASNote != "" {
		t.Errorf("ras: %+v %q", r.RAS, r.RASNote)
	}
	if r.LastSuspend != nil || r.LastResume == nil || r.PowerNote != "" {
		t.Errorf("power: %v %v %q", r.LastSuspend, r.LastResume, r.PowerNote)
	}
	if r.Redacted || r.Config.Reconnect[2] != "s3cret" {
		t.Errorf("Build must not redact: %+v", r.Config)
	}
}

// The tray has findings but no observations: counts are unknown, not 0.
func TestBuildFromFindingsOnly(t *testing.T) {
	fixOS(t, "linux")
	in := sampleInput()
	in.Observations = nil
	r := Build(in)
	if len(r.Resources) != 3 || r.Resources[1].Sockets != nil || r.Resources[1].TimeWait != nil || len(r.Resources[1].Holders) != 2 {
		t.Fatalf("resources: %+v", r.Resources)
	}
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "sockets: not recorded, TIME_WAIT: not recorded") {
		t.Errorf("text:\n%s", buf.String())
	}
}

func TestBuildSaysNotRecorded(t *testing.T) {
	fixOS(t, "linux")
	in := sampleInput()
	in.Recent, in.LastResume = nil, time.Time{}
	in.Observations[0].Reserved = nil
	in.Config, in.ConfigErr = nil, errors.New("config /home/alice/x.toml:3:1: bad")
	var buf bytes.Buffer
	r := Build(in)
	if err := Redact(r, NewRedactor("alice", "/home/alice", false)).WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"last suspend: not recorded", "last resume: not recorded",
		"[recent findings and actions]\nnot recorded",
		"RAS exists only on Windows", "reserved (excluded) port ranges exist only on Windows",
		"error: config ~/x.toml:3:1: bad",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
}

func TestRedactedReportHidesTheUser(t *testing.T) {
	fixOS(t, "windows")
	r := Build(sampleInput())
	red := Redact(r, NewRedactor("alice", "/home/alice", false))
	var text, js bytes.Buffer
	if err := red.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := red.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "json": js.String()} {
		for _, secret := range []string{"alice", "bob", "s3cret", "bastion.corp", "server.js", "8080:db:5432"} {
			if strings.Contains(strings.ToLower(out), secret) {
				t.Errorf("%s report contains %q:\n%s", name, secret, out)
			}
		}
	}
	out := text.String()
	for _, want := range []string{
		"traycheck: 1.2.3", "os: Test OS 1 (windows/amd64), kernel 6.1.0-test",
		"command-line arguments dropped", "source: ~/.config/traycheck/config.toml", "reconnect: ~/bin/reconnect",
		"tcp/8080: ", "holder: ssh (PID 4242, /usr/bin/ssh, user user1), command: ssh",
		"holder: node (PID 77, /home/user2/.nvm/node, user user2)", "sockets: 3, TIME_WAIT: 2",
		"/dev/ttyUSB0: ", "exists: true, busy: true", "udp 1150-1249", "tun0: up, mtu 1500, flags up|pointtopoint, addresses 10.8.0.2/24",
		"user1's VPN: vpn WAN Miniport (IKEv2), state Connected",
		"last resume: 2026-11-25T07:00:00Z", "end-process: ended ssh (PID 4242) for user1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	// The original is untouched: the tray may show it to the user.
	if h := holder(t, r, 4242); h.User != "alice" || len(h.Cmdline) != 5 {
		t.Errorf("Redact changed its input: %+v", h)
	}

	full := Redact(r, NewRedactor("alice", "/home/alice", true))
	if got := holder(t, full, 4242).Cmdline; len(got) != 5 || got[4] != "user1@bastion.corp" {
		t.Errorf("--full command line: %q", got)
	}
}

func holder(t *testing.T, r *Report, pid int) vpnport.Holder {
	t.Helper()
	for _, res := range r.Resources {
		for _, h := range res.Holders {
			if h.PID == pid {
				return h
			}
		}
	}
	t.Fatalf("no holder with PID %d", pid)
	return vpnport.Holder{}
}

func TestReportJSONShape(t *testing.T) {
	fixOS(t, "linux")
	var buf bytes.Buffer
	if err := Redact(Build(sampleInput()), NewRedactor("alice", "/home/alice", false)).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"generated", "traycheck_version", "os", "redacted", "config", "resources", "reserved_ranges",
		"adapters", "ras_connections", "last_suspend", "last_resume", "recent"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	res := m["resources"].([]any)[1].(map[string]any)
	if res["cause"] == nil || res["time_wait"] != float64(2) || res["holders"] == nil {
		t.Errorf("resource JSON: %v", res)
	}
}

// The real OS: this machine's adapters include loopback.
func TestBuildReadsRealAdapters(t *testing.T) {
	r := Build(Input{Version: "x"})
	found := false
	for _, a := range r.Adapters {
		found = found || strings.Contains(a.Flags, "loopback")
	}
	if !found {
		t.Fatalf("no loopback adapter among %+v (%s)", r.Adapters, r.AdaptersNote)
	}
}
