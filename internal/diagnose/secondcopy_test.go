package diagnose

import (
	"slices"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/vpnport"
)

func TestSecondCopy(t *testing.T) {
	wgGo := vpnport.Holder{PID: 510, Name: "wireguard-go", Exe: "/usr/bin/wireguard-go", User: "root"}
	charon := vpnport.Holder{PID: 520, Name: "charon", Exe: "/usr/lib/ipsec/charon", User: "root"}
	udp500 := vpnport.Resource{Kind: vpnport.UDP, Port: 500}
	held := func(r vpnport.Resource, h vpnport.Holder) vpnport.Observation {
		return vpnport.Observation{Resource: r, Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 9, h.PID)}, Holders: []vpnport.Holder{h}, Exists: true}
	}
	contended := baseCtx()
	contended.Contended = true
	quiet := baseCtx()
	quiet.VPNClients = nil
	tests := []struct {
		name    string
		obs     vpnport.Observation
		ctx     Context
		program string
		second  bool
		msg     string
	}{
		// wg set wg1 listen-port 51820 while wireguard-go for wg0 holds it.
		{"second wireguard tunnel, holder not configured", held(udp51820, wgGo), quiet, ProgWireGuard, true, "second tunnel on the same port"},
		{"second wireguard tunnel, holder a configured client", held(udp51820, wgGo), contended, "wg", true, "wireguard-go (PID 510"},
		// charon already running: the running charon is the first copy.
		{"second charon", held(udp500, charon), baseCtx(), "charon-systemd", true, "charon (PID 520"},
		{"same program, not a VPN", held(tcp8080, python), quiet, "python3", true, "give the new one another port"},
		{"another program", held(udp1194, python), contended, ProgOpenVPN, false, ""},
		{"ssh keeps its leftover rule", held(tcp8080, sshOld), contended, ProgSSH, false, ""},
		{"unknown program", held(udp1194, ovpnA), contended, "", false, ""},
		{"hidden holder", vpnport.Observation{Resource: udp1194, Holders: []vpnport.Holder{hidden}, Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 9)}}, contended, ProgOpenVPN, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := Diagnose(tc.obs, tc.ctx)
			before := f.Cause
			g := SecondCopy(f, tc.program, tc.ctx)
			if !tc.second {
				if g.Cause != before || g.Message != f.Message {
					t.Fatalf("changed %s -> %s: %s", before, g.Cause, g.Message)
				}
				return
			}
			if g.Cause != SameAppInstance || !IsSecondCopy(g) {
				t.Fatalf("cause %s, want same-app-instance from SecondCopy", g.Cause)
			}
			if g.Has(EndProcess) || !slices.Equal(g.Actions, []Action{Retry, UseOtherPort}) {
				t.Errorf("actions %v, want retry, use-other-port (never end-process first)", g.Actions)
			}
			for _, bad := range []string{"as expected", "End the", "end it"} {
				if strings.Contains(g.Message, bad) {
					t.Errorf("message says %q: %s", bad, g.Message)
				}
			}
			if !strings.Contains(g.Message, tc.msg) || !strings.Contains(g.Message, "already runs and holds it") {
				t.Errorf("message %q, want %q in it", g.Message, tc.msg)
			}
		})
	}
}

func TestSecondCopyRespectsPolicy(t *testing.T) {
	c := baseCtx()
	c.Forbidden = []Action{UseOtherPort}
	o := vpnport.Observation{Resource: udp1194, Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 9, 100)}, Holders: []vpnport.Holder{ovpnA}}
	g := SecondCopy(Diagnose(o, c), ProgOpenVPN, c)
	if g.Cause != SameAppInstance || !slices.Equal(g.Actions, []Action{Retry}) {
		t.Fatalf("got %s %v, want same-app-instance with retry only", g.Cause, g.Actions)
	}
}

func TestSecondCopyDevice(t *testing.T) {
	mc := vpnport.Holder{PID: 77, Name: "minicom", Exe: "/usr/bin/minicom", User: "alice"}
	o := vpnport.Observation{Resource: tty, Holders: []vpnport.Holder{mc}, Exists: true}
	g := SecondCopy(Diagnose(o, baseCtx()), "minicom", baseCtx())
	if g.Cause != SameAppInstance || !slices.Equal(g.Actions, []Action{Retry}) || !strings.Contains(g.Message, "has it open") {
		t.Fatalf("got %s %v %q", g.Cause, g.Actions, g.Message)
	}
}

func TestProgramFamily(t *testing.T) {
	for in, want := range map[string]string{"wireguard-go": ProgWireGuard, "wg": ProgWireGuard, "charon-systemd": ProgCharon,
		"ocserv-worker": "ocserv", "tincd": "tinc", "OpenVPN.exe": ProgOpenVPN, "Python3": "python3"} {
		if got := ProgramFamily(in); got != want {
			t.Errorf("ProgramFamily(%q) = %q, want %q", in, got, want)
		}
	}
}
