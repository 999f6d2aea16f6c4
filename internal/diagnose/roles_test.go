package diagnose

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/vpnport"
)

func TestMatchSSHMux(t *testing.T) {
	tests := []struct {
		name       string
		cmdline    []string
		ok         bool
		path, spec string
	}{
		{"ControlPersist title", []string{"ssh: /home/a/.ssh/cm-42 [mux]"}, true, "/home/a/.ssh/cm-42", ""},
		{"-M -S with the spec", []string{"ssh", "-i", "/k/Mkey", "-M", "-S", "/tmp/ctl", "-fN", "-L", "127.0.0.1:8080:db:5432", "jump"}, true, "/tmp/ctl", "127.0.0.1:8080:db:5432"},
		{"cluster and attached values", []string{"ssh", "-MfN", "-S/tmp/c", "-L8080:db:5432", "-L9090:db:1", "jump"}, true, "/tmp/c", "8080:db:5432"},
		{"-o options", []string{"ssh", "-o", "ControlMaster=auto", "-oControlPath=/tmp/p", "-L", "[::1]:8080:db:5432", "jump"}, true, "/tmp/p", "[::1]:8080:db:5432"},
		{"a plain ssh -L", []string{"ssh", "-N", "-L", "8080:db:5432", "jump"}, false, "", ""},
		{"an M in a key path is no -M", []string{"ssh", "-i", "/k/-Mkey", "-S", "/tmp/c", "jump"}, false, "", ""},
		{"an M in the remote command is no -M", []string{"ssh", "-S", "/tmp/c", "jump", "ls", "-M"}, false, "", ""},
		{"ControlPath none", []string{"ssh", "-M", "-S", "none", "jump"}, false, "", ""},
		{"another program's title", []string{"sshd: root [priv]"}, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := vpnport.Holder{PID: 1, Name: "ssh", Cmdline: tt.cmdline}
			m, ok := matchSSHMux(h, tcp8080)
			if ok != tt.ok || m.path != tt.path || m.spec != tt.spec {
				t.Errorf("got %v %+v, want %v path %q spec %q", ok, m, tt.ok, tt.path, tt.spec)
			}
		})
	}
}

func TestSSHMuxFinding(t *testing.T) {
	mux := vpnport.Holder{PID: 4100, Name: "ssh", Exe: "/usr/bin/ssh", User: "alice", Cmdline: []string{"ssh: /home/a/my cm [mux]"}}
	o := vpnport.Observation{Resource: tcp8080, Holders: []vpnport.Holder{mux},
		Sockets: []vpnport.Socket{{State: vpnport.StateListen, Local: netip.MustParseAddrPort("127.0.0.1:8080"), Inode: 5, PIDs: []int{4100}}}}
	c := baseCtx()
	c.Contended = true
	f := Diagnose(o, c)
	if f.Role() != RoleSSHMuxMaster {
		t.Fatalf("role %q (%s)", f.Role(), f.Message)
	}
	want := []string{"ssh -S '/home/a/my cm' -O cancel -L 8080:HOST:HOSTPORT x", "ssh -S '/home/a/my cm' -O exit x"}
	if !slices.Equal(f.Commands, want) {
		t.Errorf("commands %q, want %q", f.Commands, want)
	}
	for _, s := range []string{"ssh's background connection master", "Ending it ends every ssh session over it", want[0], want[1]} {
		if !strings.Contains(f.Message, s) {
			t.Errorf("message %q lacks %q", f.Message, s)
		}
	}
	if strings.Contains(f.Message, "End the old one") {
		t.Errorf("message still tells to end it: %s", f.Message)
	}
	// Not contended: the forward working is the VPN client, still named.
	f = Diagnose(o, baseCtx())
	if f.Cause != VPNClient || f.Role() != RoleSSHMuxMaster || !strings.Contains(f.Message, "as expected: ssh's background connection master") {
		t.Errorf("%s %q: %s", f.Cause, f.Role(), f.Message)
	}
}
