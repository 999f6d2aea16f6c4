package discover

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/testenv"
)

// openvpnBinds runs the real openvpn on profile inside a fresh namespace and
// returns the local UDP/TCP ports it holds once it is up.
func openvpnBinds(t *testing.T, profile string) []string {
	t.Helper()
	bin := testenv.LookPath(t, "openvpn")
	ns := testenv.NewNetNS(t)
	cmd := ns.Command(context.Background(), bin, "--config", profile, "--verb", "3")
	cmd.Dir = filepath.Dir(ovpnSamples) // loopback-server names sample-keys/ relative to it
	p := testenv.Start(t, cmd)
	var ports []string
	testenv.WaitFor(t, 10*time.Second, "openvpn to bind", func() bool {
		if done, err := p.Exited(); done {
			t.Fatalf("openvpn exited: %v\n%s", err, p.Log.String())
		}
		out, _ := ns.Command(context.Background(), "ss", "-Htuanp").Output()
		ports = nil
		for _, line := range strings.Split(string(out), "\n") {
			if !strings.Contains(line, `"openvpn"`) {
				continue
			}
			f := strings.Fields(line)
			if len(f) < 5 {
				continue
			}
			port := f[4][strings.LastIndexByte(f[4], ':')+1:]
			ports = append(ports, f[0]+"/"+port)
		}
		return len(ports) > 0
	})
	sort.Strings(ports)
	return slices.Compact(ports)
}

// The oracle for the OpenVPN parser is openvpn itself: the port discovery
// says a profile binds is the port the real openvpn binds with it.
func TestOpenVPNDiscoveryMatchesRealOpenVPN(t *testing.T) {
	client := sample(t, "loopback-client")
	dir := t.TempDir()
	b, err := os.ReadFile(client)
	if err != nil {
		t.Fatal(err)
	}
	// The same profile with nobind: openvpn then binds a random port, and
	// discovery must not claim 16001.
	nobind := filepath.Join(dir, "nobind.ovpn")
	// (openvpn refuses --local and --lport with --nobind.)
	text := strings.Replace(string(b), "\nlocal localhost\n", "\n", 1)
	text = strings.Replace(text, "\nlport 16001\n", "\n", 1)
	os.WriteFile(nobind, []byte(text+"\nnobind\n"), 0o600)

	for _, profile := range []string{client, sample(t, "loopback-server"), nobind} {
		f := openVPNFiles(newBudget(), profile, ".conf", ".ovpn")[0]
		got := openvpnBinds(t, profile)
		if len(f.Ports) == 0 {
			// nobind: whatever openvpn bound, it is not the profile's lport.
			if slices.Contains(got, "udp/16001") {
				t.Errorf("%s: discovery says nobind, openvpn bound %v", profile, got)
			}
			if !strings.Contains(f.Note, "nobind") {
				t.Errorf("%s: note %q", profile, f.Note)
			}
			continue
		}
		if !slices.Equal(f.Ports, got) {
			t.Errorf("%s: discovery says %v, the real openvpn binds %v", profile, f.Ports, got)
		}
	}
}

// ssh -G prints the configuration OpenSSH itself resolves for a host,
// Includes and all: discovery's forward ports are the union over the hosts.
func TestSSHConfigMatchesOpenSSH(t *testing.T) {
	ssh := testenv.LookPath(t, "ssh")
	home := t.TempDir()
	sshDir := filepath.Join(home, ".ssh")
	os.MkdirAll(filepath.Join(sshDir, "conf.d"), 0o700)
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(sshDir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// An absolute Include: ssh -G resolves a relative one against the real
	// user's ~/.ssh, not this test's (TestSSHIncludeRelative covers those).
	write("config", `Include `+sshDir+`/conf.d/*.conf
Host db
  HostName db.internal
  LocalForward 127.0.0.1:15432 localhost:5432
  LocalForward=18080 web:80
Host jump
  DynamicForward [::1]:11080
  LocalForward /tmp/sock web:80
Host *
  ServerAliveInterval 30
`)
	write("conf.d/work.conf", "Host work\n  LocalForward \"13389\" desktop:3389\n")
	f, ok := sshConfigFile(filepath.Join(sshDir, "config"), newBudget())
	if !ok {
		t.Fatal("nothing found")
	}
	var want []string
	re := regexp.MustCompile(`(?m)^(?:localforward|dynamicforward) (?:\S*:)?(\d+)\b`)
	for _, host := range []string{"db", "jump", "work"} {
		out, err := exec.Command(ssh, "-G", "-F", filepath.Join(sshDir, "config"), host).Output()
		if err != nil {
			t.Fatalf("ssh -G %s: %v", host, err)
		}
		for _, m := range re.FindAllStringSubmatch(string(out), -1) {
			want = append(want, "tcp/"+m[1])
		}
	}
	sort.Strings(want)
	got := slices.Clone(f.Ports)
	sort.Strings(got)
	if !slices.Equal(got, slices.Compact(want)) {
		t.Fatalf("discovery %v, OpenSSH resolves %v", got, want)
	}
	if !strings.Contains(f.Name, "Host work") || !strings.Contains(f.Note, "work.conf") {
		t.Errorf("name %q note %q", f.Name, f.Note)
	}
}
