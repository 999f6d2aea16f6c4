package diagnose

import (
	"encoding/json"
	"net/netip"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/safetext"
	"github.com/traycheck/traycheck/internal/vpnport"
)

var (
	t0       = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	udp1194  = vpnport.Resource{Kind: vpnport.UDP, Port: 1194}
	tcp8080  = vpnport.Resource{Kind: vpnport.TCP, Port: 8080}
	udp51820 = vpnport.Resource{Kind: vpnport.UDP, Port: 51820}
	tty      = vpnport.Resource{Kind: vpnport.Device, Path: "/dev/ttyUSB0"}

	python = vpnport.Holder{PID: 4242, Name: "python3", Exe: "/usr/bin/python3.11", User: "alice", UID: 1000}
	ovpnA  = vpnport.Holder{PID: 100, Name: "openvpn", Exe: "/usr/sbin/openvpn", User: "root"}
	ovpnB  = vpnport.Holder{PID: 200, Name: "openvpn", Exe: "/usr/sbin/openvpn", User: "root"}
	sshOld = vpnport.Holder{PID: 300, Name: "ssh", Exe: "/usr/bin/ssh", User: "alice"}
	hidden = vpnport.Holder{Hidden: true, User: "bob", UID: 1001}
	sys4   = vpnport.Holder{PID: 4, Name: "System", Kernel: true}
)

func sock(state vpnport.State, inode uint64, pids ...int) vpnport.Socket {
	return vpnport.Socket{State: state, Local: netip.MustParseAddrPort("0.0.0.0:1194"), Inode: inode, PIDs: pids}
}

func baseCtx() Context {
	return Context{Now: t0, VPNClients: []string{"openvpn", "charon", "wg-quick"}, SSHForwardPorts: []uint16{8080}}
}

func TestDiagnose(t *testing.T) {
	tw := func(left time.Duration) vpnport.Socket {
		s := sock(vpnport.StateTimeWait, 0)
		s.TimerLeft = left
		return s
	}
	tests := []struct {
		name    string
		obs     vpnport.Observation
		ctx     func(*Context)
		cause   Cause
		actions []Action
		holders []int
		msg     string // substring of the message
	}{
		{name: "free port", obs: vpnport.Observation{Resource: udp1194},
			cause: Free, actions: []Action{}, msg: "udp/1194 is free"},
		{name: "held by the vpn client is fine",
			obs:   vpnport.Observation{Resource: udp1194, Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 7, 100)}, Holders: []vpnport.Holder{ovpnA}},
			cause: VPNClient, actions: []Action{}, holders: []int{100}, msg: "VPN client openvpn (PID 100"},
		{name: "client matched by exe base name when comm is cut",
			obs:   vpnport.Observation{Resource: udp1194, Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 7, 9)}, Holders: []vpnport.Holder{{PID: 9, Name: "wg-quick-longna", Exe: "/usr/bin/wg-quick"}}},
			cause: VPNClient, actions: []Action{}, holders: []int{9}},
		{name: "another program",
			obs:   vpnport.Observation{Resource: udp1194, Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 7, 4242)}, Holders: []vpnport.Holder{python}},
			cause: OtherApp, actions: []Action{Retry, EndProcess, UseOtherPort}, holders: []int{4242},
			msg: "held by python3 (PID 4242, /usr/bin/python3.11, user alice)"},
		{name: "other program sharing with the client (SO_REUSEPORT): both named",
			obs: vpnport.Observation{Resource: udp1194,
				Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 7, 100), sock(vpnport.StateUnconn, 8, 4242)},
				Holders: []vpnport.Holder{ovpnA, python}},
			cause: OtherApp, actions: []Action{Retry, EndProcess, UseOtherPort}, holders: []int{4242, 100}},
		{name: "two client instances with their own sockets",
			obs: vpnport.Observation{Resource: udp1194,
				Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 7, 100), sock(vpnport.StateUnconn, 8, 200)},
				Holders: []vpnport.Holder{ovpnA, ovpnB}},
			cause: SameAppInstance, actions: []Action{Retry, EndProcess, UseOtherPort}, holders: []int{100, 200},
			msg: "2 copies of the same program: openvpn (PID 100, /usr/sbin/openvpn, user root) and openvpn (PID 200"},
		{name: "one socket inherited across fork is one instance",
			obs: vpnport.Observation{Resource: udp1194,
				Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 7, 100, 200)},
				Holders: []vpnport.Holder{ovpnA, ovpnB}},
			cause: VPNClient, actions: []Action{}, holders: []int{100, 200}},
		{name: "client not among the expected PIDs",
			obs:   vpnport.Observation{Resource: udp1194, Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 7, 200)}, Holders: []vpnport.Holder{ovpnB}},
			ctx:   func(c *Context) { c.ExpectedPIDs = []int{100} },
			cause: SameAppInstance, actions: []Action{Retry, EndProcess, UseOtherPort}, holders: []int{200}},
		{name: "old ssh -L still holding the forward when a new one failed",
			obs:   vpnport.Observation{Resource: tcp8080, Sockets: []vpnport.Socket{sock(vpnport.StateListen, 7, 300)}, Holders: []vpnport.Holder{sshOld}},
			ctx:   func(c *Context) { c.Contended = true },
			cause: SameAppInstance, actions: []Action{Retry, EndProcess, UseOtherPort}, holders: []int{300}},
		{name: "ssh holding its configured forward is fine",
			obs:   vpnport.Observation{Resource: tcp8080, Sockets: []vpnport.Socket{sock(vpnport.StateListen, 7, 300)}, Holders: []vpnport.Holder{sshOld}},
			cause: VPNClient, actions: []Action{}, holders: []int{300}},
		{name: "ssh on a port that is not a forward is another program",
			obs:   vpnport.Observation{Resource: udp1194, Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 7, 300)}, Holders: []vpnport.Holder{sshOld}},
			cause: OtherApp, actions: []Action{Retry, EndProcess, UseOtherPort}, holders: []int{300}},
		{name: "only TIME_WAIT left: wait, with the seconds rounded up",
			obs:   vpnport.Observation{Resource: vpnport.Resource{Kind: vpnport.TCP, Port: 8443}, Sockets: []vpnport.Socket{tw(41200 * time.Millisecond), tw(3 * time.Second)}},
			cause: TimeWait, actions: []Action{Wait, UseOtherPort}, msg: "2 connection(s) in TIME_WAIT"},
		{name: "only TIME_WAIT on an ssh forward port: free for ssh",
			obs:   vpnport.Observation{Resource: tcp8080, Sockets: []vpnport.Socket{tw(41200 * time.Millisecond)}},
			cause: Free, actions: []Action{}, msg: "free for ssh: only 1 connection(s) in TIME_WAIT remain from a closed connection (expiring in 42s)"},
		{name: "a listener beside TIME_WAIT is the real holder",
			obs:   vpnport.Observation{Resource: tcp8080, Sockets: []vpnport.Socket{tw(time.Second), sock(vpnport.StateListen, 9, 4242)}, Holders: []vpnport.Holder{python}},
			cause: OtherApp, actions: []Action{Retry, EndProcess, UseOtherPort}, holders: []int{4242}},
		{name: "another user's process while unprivileged",
			obs:   vpnport.Observation{Resource: udp1194, Sockets: []vpnport.Socket{{State: vpnport.StateUnconn, Inode: 7, UID: 1001, OwnerHidden: true}}, Holders: []vpnport.Holder{hidden}},
			cause: HiddenOwner, actions: []Action{CheckAsAdmin, Retry}, holders: []int{0}, msg: "a process of user bob (PID hidden)"},
		{name: "socket with no process is kernel-owned",
			obs:   vpnport.Observation{Resource: udp1194, Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 0)}},
			cause: KernelOwned, actions: []Action{Retry, UseOtherPort}, msg: noOwnerMsg()},
		{name: "a kernel WireGuard interface on its port is the VPN itself",
			obs:   vpnport.Observation{Resource: udp51820, Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 0)}, KernelHolder: "WireGuard interface wg0"},
			cause: VPNClient, actions: []Action{}, msg: "kernel's WireGuard interface wg0: the VPN itself"},
		{name: "kernel WireGuard when WireGuard is not a configured client is kernel-owned",
			obs:   vpnport.Observation{Resource: udp51820, Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 0)}, KernelHolder: "WireGuard interface wg0"},
			ctx:   func(c *Context) { c.VPNClients = []string{"openvpn"} },
			cause: KernelOwned, actions: []Action{Retry, UseOtherPort}, msg: "kernel's WireGuard interface wg0, not by a process"},
		{name: "kernel-owned with an adapter and a failed reset suggests a reboot",
			obs:   vpnport.Observation{Resource: udp1194, Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 0)}},
			ctx:   func(c *Context) { c.AdapterConfigured, c.ResetTried = true, true },
			cause: KernelOwned, actions: []Action{Retry, ResetAdapter, UseOtherPort, RebootSuggested}},
		{name: "windows PID 4 points at HTTP.sys",
			obs:   vpnport.Observation{Resource: tcp8080, Sockets: []vpnport.Socket{sock(vpnport.StateListen, 0, 4)}, Holders: []vpnport.Holder{sys4}},
			cause: KernelOwned, actions: []Action{Retry, UseOtherPort}, holders: []int{4}, msg: "netsh http show servicestate"},
		{name: "held by no process right after wake: stale, reset first",
			obs:   vpnport.Observation{Resource: udp1194, Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 0)}},
			ctx:   func(c *Context) { c.LastResume, c.AdapterConfigured = t0.Add(-20*time.Second), true },
			cause: StaleAfterWake, actions: []Action{Retry, ResetAdapter}, msg: "woke from sleep"},
		{name: "stale after wake and the reset did not help: reboot suggested",
			obs: vpnport.Observation{Resource: udp1194, Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 0)}},
			ctx: func(c *Context) {
				c.LastResume, c.AdapterConfigured, c.ResetTried = t0.Add(-20*time.Second), true, true
			},
			cause: StaleAfterWake, actions: []Action{Retry, RebootSuggested}},
		{name: "wake long ago is not blamed",
			obs:   vpnport.Observation{Resource: udp1194, Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 0)}},
			ctx:   func(c *Context) { c.LastResume = t0.Add(-time.Hour) },
			cause: KernelOwned, actions: []Action{Retry, UseOtherPort}},
		{name: "client's half-dead connection after wake, when its reconnect failed",
			obs:   vpnport.Observation{Resource: udp1194, Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 7, 100)}, Holders: []vpnport.Holder{ovpnA}},
			ctx:   func(c *Context) { c.LastResume, c.Contended = t0.Add(-5*time.Second), true },
			cause: StaleAfterWake, actions: []Action{Retry, EndProcess}, holders: []int{100}},
		{name: "client after wake without a failure is still fine",
			obs:   vpnport.Observation{Resource: udp1194, Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 7, 100)}, Holders: []vpnport.Holder{ovpnA}},
			ctx:   func(c *Context) { c.LastResume = t0.Add(-5 * time.Second) },
			cause: VPNClient, actions: []Action{}, holders: []int{100}},
		{name: "windows reserved range",
			obs:   vpnport.Observation{Resource: tcp8080, Reserved: &vpnport.PortRange{Proto: vpnport.TCP, Start: 8000, End: 8099}},
			cause: ReservedRange, actions: []Action{UseOtherPort, Retry}, msg: "tcp 8000-8099"},

		{name: "device free", obs: vpnport.Observation{Resource: tty, Exists: true}, cause: Free, actions: []Action{}},
		{name: "device missing lists the others",
			obs:   vpnport.Observation{Resource: tty, Available: []string{"/dev/ttyUSB1", "/dev/ttyACM0"}},
			cause: DeviceMissing, actions: []Action{Retry}, msg: "Devices present: /dev/ttyUSB1, /dev/ttyACM0"},
		{name: "device open by another program",
			obs:   vpnport.Observation{Resource: tty, Exists: true, Holders: []vpnport.Holder{python}},
			cause: OtherApp, actions: []Action{Retry, EndProcess}, holders: []int{4242}},
		{name: "device held by pppd the client",
			obs:   vpnport.Observation{Resource: tty, Exists: true, Holders: []vpnport.Holder{{PID: 50, Name: "pppd"}}},
			ctx:   func(c *Context) { c.VPNClients = append(c.VPNClients, "pppd") },
			cause: VPNClient, actions: []Action{}, holders: []int{50}},
		{name: "stale UUCP lock of a dead PID",
			obs:   vpnport.Observation{Resource: tty, Exists: true, Lock: &vpnport.LockFile{Path: "/run/lock/LCK..ttyUSB0", PID: 31337}},
			cause: CrashedLeftover, actions: []Action{RemoveLock, Retry}, msg: "PID 31337, which is no longer running"},
		{name: "lock of a live PID that has not opened it",
			obs:   vpnport.Observation{Resource: tty, Exists: true, Lock: &vpnport.LockFile{Path: "/run/lock/LCK..ttyUSB0", PID: 77, Alive: true}},
			cause: OtherApp, actions: []Action{Retry}, msg: "locked by running PID 77"},
		{name: "busy device (COM port, not elevated): other-app, check as admin",
			obs:   vpnport.Observation{Resource: vpnport.Resource{Kind: vpnport.Device, Path: "COM3"}, Exists: true, Busy: true, OpenErr: "Access is denied."},
			cause: OtherApp, actions: []Action{CheckAsAdmin, Retry}, msg: "Access is denied."},
		{name: "busy device right after wake: stale",
			obs:   vpnport.Observation{Resource: tty, Exists: true, Busy: true},
			ctx:   func(c *Context) { c.LastResume = t0.Add(-10 * time.Second) },
			cause: StaleAfterWake, actions: []Action{Retry, RebootSuggested}},
		{name: "unprivileged, nothing visible holds the device, and it does not open: not called free",
			obs:   vpnport.Observation{Resource: tty, Exists: true, Unseen: true, OpenErr: "permission denied"},
			cause: HiddenOwner, actions: []Action{CheckAsAdmin, Retry}, msg: "no process you can see holds it"},
		{name: "unprivileged passive check: free, but only as far as it can see",
			obs:   vpnport.Observation{Resource: tty, Exists: true, Unseen: true},
			cause: Free, actions: []Action{}, msg: "free as far as traycheck can see"},
		{name: "device open by a hidden user's process",
			obs:   vpnport.Observation{Resource: tty, Exists: true, Holders: []vpnport.Holder{hidden}},
			cause: HiddenOwner, actions: []Action{CheckAsAdmin, Retry}, holders: []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := baseCtx()
			if tt.ctx != nil {
				tt.ctx(&c)
			}
			f := Diagnose(tt.obs, c)
			if f.Cause != tt.cause {
				t.Fatalf("cause = %s, want %s (message %q)", f.Cause, tt.cause, f.Message)
			}
			if !reflect.DeepEqual(f.Actions, tt.actions) {
				t.Errorf("actions = %v, want %v", f.Actions, tt.actions)
			}
			var pids []int
			for _, h := range f.Holders {
				pids = append(pids, h.PID)
			}
			if !reflect.DeepEqual(pids, tt.holders) {
				t.Errorf("holder PIDs = %v, want %v", pids, tt.holders)
			}
			if !strings.Contains(f.Message, tt.msg) {
				t.Errorf("message %q does not contain %q", f.Message, tt.msg)
			}
			if f.Resource != tt.obs.Resource {
				t.Errorf("resource = %v, want %v", f.Resource, tt.obs.Resource)
			}
			if got, want := f.NeedsAttention(), tt.cause != Free && tt.cause != VPNClient; got != want {
				t.Errorf("NeedsAttention = %v", got)
			}
			for _, a := range f.Actions {
				if !slices.Contains(Actions, a) {
					t.Errorf("unknown action %q", a)
				}
			}
		})
	}
}

func TestTimeWaitLeftRoundsUp(t *testing.T) {
	o := vpnport.Observation{Resource: tcp8080, Sockets: []vpnport.Socket{
		{State: vpnport.StateTimeWait, TimerLeft: 41200 * time.Millisecond},
		{State: vpnport.StateTimeWait, TimerLeft: 59 * time.Second},
	}}
	if f := Diagnose(o, baseCtx()); f.TimeWaitLeftS != 59 {
		t.Errorf("TimeWaitLeftS = %d, want 59", f.TimeWaitLeftS)
	}
	o.Sockets = o.Sockets[:1]
	if f := Diagnose(o, baseCtx()); f.TimeWaitLeftS != 42 {
		t.Errorf("TimeWaitLeftS = %d, want 42", f.TimeWaitLeftS)
	}
}

// TestFindingJSON pins the public JSON field names of `check --json`.
func TestFindingJSON(t *testing.T) {
	f := Diagnose(vpnport.Observation{Resource: udp1194,
		Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 7, 4242)},
		Holders: []vpnport.Holder{{PID: 4242, Name: "python3", Exe: "/usr/bin/python3", User: "alice",
			Started: t0, Cmdline: []string{"python3", "-m", "x"}}}}, baseCtx())
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"resource", "cause", "holders", "time_wait_left_s", "actions", "message"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	res := m["resource"].(map[string]any)
	if res["kind"] != "udp" || res["port"] != float64(1194) {
		t.Errorf("resource = %v", res)
	}
	if _, ok := res["path"]; ok {
		t.Errorf("a port resource must not carry a path: %v", res)
	}
	h := m["holders"].([]any)[0].(map[string]any)
	for _, k := range []string{"pid", "name", "exe", "user", "started", "cmdline"} {
		if _, ok := h[k]; !ok {
			t.Errorf("holder JSON lacks %q: %v", k, h)
		}
	}
	if h["started"] != "2026-11-25T09:00:00Z" {
		t.Errorf("started = %v, want RFC 3339", h["started"])
	}
	// A free finding still has empty arrays, not null, so consumers can range.
	b, _ = json.Marshal(Diagnose(vpnport.Observation{Resource: udp1194}, baseCtx()))
	if !strings.Contains(string(b), `"holders":[]`) || !strings.Contains(string(b), `"actions":[]`) {
		t.Errorf("free finding JSON = %s", b)
	}
}

func BenchmarkDiagnose(b *testing.B) {
	o := vpnport.Observation{Resource: udp1194,
		Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 7, 100), sock(vpnport.StateUnconn, 8, 4242)},
		Holders: []vpnport.Holder{ovpnA, python}}
	c := baseCtx()
	b.ReportAllocs()
	for b.Loop() {
		_ = Diagnose(o, c)
	}
}

// A process name is chosen by whoever starts the process: it must not be
// able to drive the user's terminal (ESC sequences) or reorder the line
// (bidi overrides) when traycheck prints it.
func TestHostileNamesArePrintable(t *testing.T) {
	evil := vpnport.Holder{PID: 66, Name: "\x1b[31mEVIL\x1b]0;pwned\a", Exe: "/tmp/\u202eexe.txt", User: "mal\nlory"}
	f := Diagnose(vpnport.Observation{Resource: udp1194,
		Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 7, 66)}, Holders: []vpnport.Holder{evil}}, baseCtx())
	for _, r := range f.Message {
		if r == 0x1b || r == '\a' || r == '\n' || r == '\u202e' {
			t.Fatalf("message carries control or bidi character %U: %q", r, f.Message)
		}
	}
	if !strings.Contains(f.Message, "EVIL") || !strings.Contains(f.Message, "exe.txt") || !strings.Contains(f.Message, "mal lory") {
		t.Errorf("message lost the readable part: %q", f.Message)
	}
	if got := safetext.Printable("plain python3"); got != "plain python3" {
		t.Errorf("Printable changed clean text: %q", got)
	}
	if got := safetext.Printable("bad\xffutf8"); got != "bad\uFFFDutf8" {
		t.Errorf("safetext.Printable(invalid UTF-8) = %q", got)
	}
}

// noOwnerMsg is what the message of a port no process holds says: Windows
// has none of the Linux kernel's port users (WireGuard, VXLAN, NFS).
func noOwnerMsg() string {
	if runtime.GOOS == "windows" {
		return "Windows names no process as its owner (owner PID 0)"
	}
	return "held by the kernel"
}
