package report

import (
	"reflect"
	"strings"
	"testing"
)

func TestRedactorText(t *testing.T) {
	for _, c := range []struct {
		name, me, home, in, want string
	}{
		{"own home becomes ~", "alice", "/home/alice", "/home/alice/.config/traycheck/config.toml", "~/.config/traycheck/config.toml"},
		{"own name as a word", "alice", "/home/alice", "held by python3 (PID 7, user alice)", "held by python3 (PID 7, user user1)"},
		{"name inside a longer word stays", "ann", "/home/ann", "annual report by ann-marie and ann", "annual report by ann-marie and user1"},
		{"case is ignored", "Bob", `C:\Users\Bob`, `C:\USERS\BOB\AppData\x.exe run by bob`, `~\AppData\x.exe run by user1`},
		{"other users' homes", "alice", "/home/alice", "/home/carol/bin/tool and /Users/dave/x", "/home/user2/bin/tool and /Users/user3/x"},
		{"windows home of another user", "alice", `C:\Users\alice`, `D:\Users\Eve\vpn.ovpn`, `D:\Users\user2\vpn.ovpn`},
		{"shared homes stay", "alice", "/home/alice", "/Users/Shared/x C:\\Users\\Public\\y", "/Users/Shared/x C:\\Users\\Public\\y"},
		{"short names only in paths", "al", "/home/al", "al is at /home/al and /home/al2", "al is at ~ and /home/user2"},
		{"root stays", "root", "/root", "user root, /root/x", "user root, ~/x"},
		{"no home", "alice", "", "nothing about anyone", "nothing about anyone"},
	} {
		r := NewRedactor(c.me, c.home, false)
		if got := r.Text(c.in); got != c.want {
			t.Errorf("%s: Text(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

func TestRedactorUsers(t *testing.T) {
	r := NewRedactor(`DESKTOP-7\alice`, `C:\Users\alice`, false)
	for _, c := range []struct{ in, want string }{
		{"alice", "user1"},
		{`DESKTOP-7\alice`, "user1"},
		{"bob", "user2"},
		{"BOB", "user2"},
		{"alice", "user1"},
		{"root", "root"},
		{"SYSTEM", "SYSTEM"},
		{`NT AUTHORITY\NETWORK SERVICE`, `NT AUTHORITY\NETWORK SERVICE`},
		{"systemd-resolve", "systemd-resolve"},
		{"_mdnsresponder", "_mdnsresponder"},
		{"", ""},
	} {
		if got := r.User(c.in); got != c.want {
			t.Errorf("User(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRedactorArgv(t *testing.T) {
	argv := []string{"/home/alice/bin/ssh", "-L", "8080:db:5432", "alice@bastion", "-i", "/home/alice/.ssh/id"}
	if got := NewRedactor("alice", "/home/alice", false).Argv(argv); !reflect.DeepEqual(got, []string{"~/bin/ssh"}) {
		t.Errorf("redacted argv = %q", got)
	}
	want := []string{"~/bin/ssh", "-L", "8080:db:5432", "user1@bastion", "-i", "~/.ssh/id"}
	if got := NewRedactor("alice", "/home/alice", true).Argv(argv); !reflect.DeepEqual(got, want) {
		t.Errorf("full argv = %q, want %q", got, want)
	}
	if got := NewRedactor("alice", "", false).Argv(nil); got != nil {
		t.Errorf("nil argv = %q", got)
	}
}

func FuzzRedactorText(f *testing.F) {
	f.Add("alice", "/home/alice", "/home/alice/x user alice /home/bob C:\\Users\\Eve")
	f.Add("a", "/", "aaaa a a")
	f.Fuzz(func(t *testing.T, me, home, s string) {
		r := NewRedactor(me, home, false)
		out := r.Text(s)
		// A redacted name never survives as a whole word.
		if len(me) >= 3 && !isSystemAccount(strings.ToLower(userBase(me))) && !strings.ContainsAny(me, "\\") {
			if strings.TrimSpace(me) == me && !strings.ContainsFunc(me, func(c rune) bool { return !(c >= 'a' && c <= 'z') }) {
				for _, w := range strings.FieldsFunc(out, func(c rune) bool { return c < 0x80 && !isWordByte(byte(c)) }) {
					if strings.EqualFold(w, me) {
						t.Fatalf("%q survived in %q (from %q)", me, out, s)
					}
				}
			}
		}
	})
}

// A role's commands (ssh's control path under a home) are redacted too.
func TestRedactRoleCommands(t *testing.T) {
	r := &Report{Resources: []Resource{{}}}
	r.Resources[0].Commands = []string{"ssh -S /home/alice/.ssh/cm-1 -O exit x"}
	out := Redact(r, NewRedactor("alice", "/home/alice", false))
	if got := out.Resources[0].Commands[0]; strings.Contains(got, "alice") || !strings.Contains(got, "-O exit") {
		t.Errorf("redacted command %q", got)
	}
	if r.Resources[0].Commands[0] != "ssh -S /home/alice/.ssh/cm-1 -O exit x" {
		t.Error("Redact changed its input")
	}
}
