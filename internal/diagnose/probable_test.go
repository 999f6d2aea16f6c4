package diagnose

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport"
)

func TestProbableVPNClient(t *testing.T) {
	rootHidden := vpnport.Holder{Hidden: true, User: "root", UID: 0, Cmdline: []string{}}
	ovpn := func(pid int, args ...string) vpnport.Holder {
		return vpnport.Holder{PID: pid, Name: "openvpn", User: "root", Cmdline: append([]string{"/usr/sbin/openvpn"}, args...)}
	}
	charon := func(pid int) vpnport.Holder {
		return vpnport.Holder{PID: pid, Name: "charon", User: "root", Cmdline: []string{"/usr/lib/ipsec/charon"}}
	}
	alice := vpnport.Holder{PID: 77, Name: "openvpn", User: "alice", UID: 1000, Cmdline: []string{"openvpn", "--lport", "1194"}}
	bobHidden := vpnport.Holder{Hidden: true, User: "bob", UID: 1001, Cmdline: []string{}}
	held := func(port uint16, cands ...vpnport.Holder) vpnport.Observation {
		s := sock(vpnport.StateUnconn, 9)
		s.OwnerHidden = true
		return vpnport.Observation{Resource: vpnport.Resource{Kind: vpnport.UDP, Port: port},
			Sockets: []vpnport.Socket{s}, Holders: []vpnport.Holder{rootHidden}, Candidates: cands}
	}
	tests := []struct {
		name  string
		obs   vpnport.Observation
		cause Cause
		pids  []int // the probable holders
		msg   string
		extra string // another configured client
	}{
		{name: "openvpn naming the port", obs: held(1194, ovpn(4919, "--lport", "1194"), charon(50)),
			cause: VPNClient, pids: []int{4919}, msg: "probably your VPN client openvpn (PID 4919, user root); check as administrator to be sure"},
		{name: "charon on its usual port", obs: held(500, ovpn(4919, "--config", "/etc/openvpn/x.conf"), charon(50)),
			cause: VPNClient, pids: []int{50}},
		{name: "two charons: either", obs: held(4500, charon(50), charon(51)),
			cause: VPNClient, pids: []int{50, 51}, msg: "charon (PID 50 or PID 51, user root)"},
		{name: "the only client, port set in its config file", obs: held(1195, ovpn(4919, "--config", "/etc/openvpn/x.conf")),
			cause: VPNClient, pids: []int{4919}},
		{name: "a lone charon is not blamed for another port", obs: held(1194, charon(50)),
			cause: HiddenOwner},
		{name: "openvpn told to use another port", obs: held(1194, ovpn(4919, "--lport", "1195")),
			cause: HiddenOwner},
		{name: "no client runs", obs: held(1194),
			cause: HiddenOwner, msg: "a process of user root (PID hidden)"},
		{name: "two openvpns, neither naming a port: no guess", obs: held(1195, ovpn(1, "--config", "a"), ovpn(2, "--config", "b")),
			cause: HiddenOwner},
		{name: "a daemon that dropped to another user still holds root's socket", obs: held(1194, alice),
			cause: VPNClient, pids: []int{77}},
		{name: "a lone client is not blamed for another client's usual port", obs: held(1194, vpnport.Holder{PID: 9, Name: "wireguard-go", User: "root", Cmdline: []string{"wireguard-go", "wg0"}}),
			cause: HiddenOwner, extra: "wireguard-go"},
		{name: "a lone client with no port of its own named fits an unusual port", obs: held(1195, vpnport.Holder{PID: 9, Name: "wireguard-go", User: "root", Cmdline: []string{"wireguard-go", "wg0"}}),
			cause: VPNClient, pids: []int{9}, extra: "wireguard-go"},
		{name: "another user's client does not count for bob's socket", obs: func() vpnport.Observation {
			o := held(1194, alice)
			o.Holders = []vpnport.Holder{bobHidden}
			return o
		}(), cause: HiddenOwner},
		{name: "a program that is no configured client does not count", obs: held(1194, vpnport.Holder{PID: 5, Name: "socat", User: "root", Cmdline: []string{"socat", "UDP-RECV:1194"}}),
			cause: HiddenOwner},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := baseCtx()
			if tt.extra != "" {
				c.VPNClients = append(c.VPNClients, tt.extra)
			}
			f := Diagnose(tt.obs, c)
			if f.Cause != tt.cause {
				t.Fatalf("cause %s, want %s (%s)", f.Cause, tt.cause, f.Message)
			}
			var pids []int
			for _, h := range f.Holders {
				if h.Probable {
					pids = append(pids, h.PID)
				}
			}
			if !slices.Equal(pids, tt.pids) {
				t.Errorf("probable %v, want %v", pids, tt.pids)
			}
			if f.NeedsAttention() != (tt.cause != VPNClient) {
				t.Errorf("needs attention %v for %s", f.NeedsAttention(), f.Cause)
			}
			if _, ok := f.ActHolder(); ok {
				t.Error("a probable or hidden holder must never be acted on")
			}
			if tt.msg != "" && !strings.Contains(f.Message, tt.msg) {
				t.Errorf("message %q lacks %q", f.Message, tt.msg)
			}
		})
	}
}

// A program that just failed to bind (explain) keeps hidden-owner: the
// likely holder is named beside the hidden one, as a guess.
func TestProbableWhenContended(t *testing.T) {
	s := sock(vpnport.StateUnconn, 9)
	s.OwnerHidden = true
	o := vpnport.Observation{Resource: udp1194, Sockets: []vpnport.Socket{s},
		Holders:    []vpnport.Holder{{Hidden: true, User: "root", Cmdline: []string{}}},
		Candidates: []vpnport.Holder{{PID: 4919, Name: "openvpn", User: "root", Cmdline: []string{"openvpn", "--port", "1194"}}}}
	c := baseCtx()
	c.Contended = true
	f := Diagnose(o, c)
	if f.Cause != HiddenOwner || !f.Has(CheckAsAdmin) {
		t.Fatalf("%s %v", f.Cause, f.Actions)
	}
	if want := "held by a process of user root (PID hidden), probably openvpn (PID 4919, user root)"; !strings.Contains(f.Message, want) {
		t.Errorf("message %q lacks %q", f.Message, want)
	}
}

func TestCmdlinePorts(t *testing.T) {
	nums, set := cmdlinePorts([]string{"ssh", "-N", "-L", "127.0.0.1:8080:db:5432", "--lport=1195", "--port", "1196"})
	if !slices.Equal(nums, []uint16{127, 1, 8080, 5432, 1195, 1196}) || !slices.Equal(set, []uint16{1195, 1196}) {
		t.Errorf("nums %v set %v", nums, set)
	}
}

// Item 10 of issue 10: who holds which address, and which copy is older.
func TestAddressAwareMessages(t *testing.T) {
	at := func(addr string, pid int) vpnport.Socket {
		return vpnport.Socket{State: vpnport.StateListen, Local: netip.MustParseAddrPort(addr), Inode: uint64(pid), PIDs: []int{pid}}
	}
	oldSSH := vpnport.Holder{PID: 300, Name: "ssh", Exe: "/usr/bin/ssh", User: "alice", Started: t0}
	newSSH := vpnport.Holder{PID: 310, Name: "ssh", Exe: "/usr/bin/ssh", User: "alice", Started: t0.Add(5 * time.Minute)}
	sc := vpnport.Holder{PID: 400, Name: "socat", Exe: "/usr/bin/socat", User: "alice"}

	// Listed newest first by PID order on purpose: the message sorts by age.
	o := vpnport.Observation{Resource: tcp8080, Sockets: []vpnport.Socket{at("[::1]:8080", 310), at("127.0.0.1:8080", 300)},
		Holders: []vpnport.Holder{newSSH, oldSSH}}
	c := baseCtx()
	c.Contended = true
	f := Diagnose(o, c)
	if f.Cause != SameAppInstance {
		t.Fatalf("%s: %s", f.Cause, f.Message)
	}
	want := "ssh (PID 300, /usr/bin/ssh, user alice) on 127.0.0.1, the older (started Nov 25 09:00:00), and ssh (PID 310, /usr/bin/ssh, user alice) on [::1], the newer (started Nov 25 09:05:00)"
	if !strings.Contains(f.Message, want) {
		t.Errorf("message %q\nlacks %q", f.Message, want)
	}
	if h, _ := f.ActHolder(); h.PID != 300 {
		t.Errorf("end-process would act on PID %d, want the older 300", h.PID)
	}

	// Different programs on different addresses.
	o = vpnport.Observation{Resource: tcp8080, Sockets: []vpnport.Socket{at("127.0.0.1:8080", 400), at("[::1]:8080", 310)},
		Holders: []vpnport.Holder{newSSH, sc}}
	f = Diagnose(o, baseCtx())
	want = "socat (PID 400, /usr/bin/socat, user alice) on 127.0.0.1 and ssh (PID 310, /usr/bin/ssh, user alice) on [::1]"
	if f.Cause != OtherApp || !strings.Contains(f.Message, want) {
		t.Errorf("%s: %q\nlacks %q", f.Cause, f.Message, want)
	}

	// Same addresses: no address noise.
	o = vpnport.Observation{Resource: tcp8080, Sockets: []vpnport.Socket{at("0.0.0.0:8080", 400), at("0.0.0.0:8080", 300)},
		Holders: []vpnport.Holder{oldSSH, sc}}
	if f = Diagnose(o, baseCtx()); strings.Contains(f.Message, " on 0.0.0.0") {
		t.Errorf("addresses named though equal: %s", f.Message)
	}
}

func TestTimeWaitAdvicePerOS(t *testing.T) {
	for _, tt := range []struct{ os, want, not string }{
		{"linux", "sets SO_REUSEADDR (OpenSSH's forwards, most servers, Python's http.server) binds over them at once when the listener that accepted those connections set it too; one without it", "EXCLUSIVEADDRUSE"},
		{"darwin", "sets SO_REUSEADDR (OpenSSH's forwards, most servers) usually binds over them at once", "EXCLUSIVEADDRUSE"},
		{"windows", "Windows lets a program listen on the port over them at once; only one that binds with SO_EXCLUSIVEADDRUSE", "sets SO_REUSEADDR"},
	} {
		old := goos
		goos = tt.os
		o := vpnport.Observation{Resource: vpnport.Resource{Kind: vpnport.TCP, Port: 9000},
			Sockets: []vpnport.Socket{{State: vpnport.StateTimeWait, TimerLeft: 30 * time.Second}}}
		f := Diagnose(o, baseCtx())
		goos = old
		if f.Cause != TimeWait || !strings.Contains(f.Message, tt.want) || strings.Contains(f.Message, tt.not) {
			t.Errorf("%s: %s: %s", tt.os, f.Cause, f.Message)
		}
	}
}
