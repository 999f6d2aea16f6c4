package freeport

import (
	"reflect"
	"strings"
	"testing"
)

func TestRewriteSSH(t *testing.T) {
	for _, c := range []struct {
		in       string
		from, to uint16
		want     string // "" = not rewritten
	}{
		{"ssh -L 8080:db:5432 host", 8080, 8081, "ssh -L 8081:db:5432 host"},
		{"ssh -L8080:db:5432 host", 8080, 8081, "ssh -L8081:db:5432 host"},
		{"ssh -N -L 127.0.0.1:8080:db:5432 host", 8080, 8090, "ssh -N -L 127.0.0.1:8090:db:5432 host"},
		{"ssh -L [::1]:8080:db:5432 host", 8080, 8081, "ssh -L [::1]:8081:db:5432 host"},
		{"ssh -L 8080:[2001:db8::5]:5432 host", 8080, 8081, "ssh -L 8081:[2001:db8::5]:5432 host"},
		{"ssh -L *:8080:db:5432 host", 8080, 8081, "ssh -L *:8081:db:5432 host"},
		{"ssh -fNL 8080:db:5432 host", 8080, 8081, "ssh -fNL 8081:db:5432 host"},
		{"ssh -NL8080:db:5432 host", 8080, 8081, "ssh -NL8081:db:5432 host"},
		{"/usr/bin/ssh -p 8080 -L 9000:db:8080 host", 8080, 8081, ""}, // 8080 is the ssh port and the remote port, not a local forward
		{"/usr/bin/ssh -p 2222 -L 9000:db:8080 host", 9000, 9001, "/usr/bin/ssh -p 2222 -L 9001:db:8080 host"},
		{"ssh host -L 8080:db:5432", 8080, 8081, "ssh host -L 8081:db:5432"}, // ssh reads options after the destination
		{"ssh host ls -L 8080:db:5432", 8080, 8081, ""},                      // ...but not in the remote command
		{"ssh -L 8080:/run/db.sock host", 8080, 8081, "ssh -L 8081:/run/db.sock host"},
		{"ssh -L localhost:8080:/run/db.sock host", 8080, 8081, "ssh -L localhost:8081:/run/db.sock host"},
		{"ssh -L /tmp/l.sock:/run/db.sock host", 8080, 8081, ""},
		{"ssh -L 8080:db:5432 -L 8443:web:443 host", 8443, 8444, "ssh -L 8080:db:5432 -L 8444:web:443 host"},
		{"ssh -R 8080:localhost:80 host", 8080, 8081, ""},
		{"ssh -oLocalForward=8080 host", 8080, 8081, ""},
		{"ssh -L", 8080, 8081, ""},
		{`C:\Windows\System32\OpenSSH\ssh.exe -L 8080:db:5432 host`, 8080, 8081, `C:\Windows\System32\OpenSSH\ssh.exe -L 8081:db:5432 host`},
		{"autossh -M 0 -L 8080:db:5432 host", 8080, 8081, ""},
		{"scp -L 8080:db:5432 host", 8080, 8081, ""},
	} {
		argv := strings.Fields(c.in)
		got, ok := RewriteSSH(argv, c.from, c.to)
		if c.want == "" {
			if ok || !reflect.DeepEqual(got, argv) {
				t.Errorf("RewriteSSH(%q) = %q, %v; want no rewrite", c.in, got, ok)
			}
			continue
		}
		if !ok || strings.Join(got, " ") != c.want {
			t.Errorf("RewriteSSH(%q, %d, %d) = %q, %v; want %q", c.in, c.from, c.to, strings.Join(got, " "), ok, c.want)
		}
	}
}

func TestRewriteSSHLeavesInputAlone(t *testing.T) {
	argv := []string{"ssh", "-L", "8080:db:5432", "host"}
	RewriteSSH(argv, 8080, 8081)
	if argv[2] != "8080:db:5432" {
		t.Fatalf("input modified: %q", argv)
	}
}

func TestSSHForwardsBind(t *testing.T) {
	fs := SSHForwards([]string{"ssh", "-L", "[::1]:8080:db:5432", "-L", "9000:db:1", "h"})
	if len(fs) != 2 || fs[0].Bind != "::1" || fs[0].Port != 8080 || fs[1].Bind != "" || fs[1].Port != 9000 {
		t.Fatalf("got %+v", fs)
	}
}

func TestFormatArgv(t *testing.T) {
	got := FormatArgv([]string{"ssh", "-L", "[::1]:8081:db:5432", "-o", "ProxyCommand=nc %h %p", "it's", ""})
	want := `ssh -L '[::1]:8081:db:5432' -o 'ProxyCommand=nc %h %p' 'it'\''s' ''`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func FuzzRewriteSSH(f *testing.F) {
	f.Add("ssh -fNL [::1]:8080:db:5432 host -L 9:x:1", uint16(8080), uint16(8081))
	f.Add("ssh -L8080:[::]:1 h", uint16(8080), uint16(1))
	f.Fuzz(func(t *testing.T, line string, from, to uint16) {
		argv := strings.Fields(line)
		out, ok := RewriteSSH(argv, from, to)
		if len(out) != len(argv) {
			t.Fatalf("length changed: %q -> %q", argv, out)
		}
		if !ok {
			return
		}
		// The rewritten line has a forward on to (and none left on from,
		// unless from == to).
		found := false
		for _, fw := range SSHForwards(out) {
			found = found || fw.Port == to
			if fw.Port == from && from != to {
				t.Fatalf("forward on %d left in %q", from, out)
			}
		}
		if !found {
			t.Fatalf("no forward on %d in %q", to, out)
		}
	})
}
