package discover

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/portnum"
	"github.com/traycheck/traycheck/internal/safefile"
)

// The fuzzers' invariants, for every discovery parser: it terminates within
// the budget (files and bytes read), every file it is handed is a regular
// file (the tree holds a FIFO and links to kernel files, which a blocking
// or by-name open would hang on or read without end), and every port it
// reports parses back with portnum.Parse.

// fuzzTree is a directory with a config the fuzzer writes, a plain file, a
// file that includes the config back, a FIFO (where the OS has them), a
// link to /proc/kmsg and a directory.
func fuzzTree(t *testing.T) string {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "plain"), "LocalForward 2400 h:1\nport 1600\nListenPort = 51001\n")
	write(t, filepath.Join(dir, "back"), "Include config\nconfig config\ninclude config\n")
	write(t, filepath.Join(dir, "d", "x.conf"), "conn x\n")
	plantFIFO(t, filepath.Join(dir, "fifo"))
	os.Symlink("/proc/kmsg", filepath.Join(dir, "kmsg"))
	return dir
}

// watchedBudget is a budget whose opens are checked: each file handed on
// must be regular, and the number of files and bytes stays in the budget.
func watchedBudget(t *testing.T) (*budget, func()) {
	b := newBudget()
	opened := 0
	b.open = func(path string, max int64, nofollow bool) (*os.File, fs.FileInfo, error) {
		f, fi, err := safefile.OpenBounded(path, max, nofollow)
		if err == nil {
			opened++
			if !fi.Mode().IsRegular() {
				t.Errorf("%s handed on: %v", path, fi.Mode())
			}
		}
		return f, fi, err
	}
	return b, func() {
		if opened > budgetFiles || b.files < 0 || b.bytes < 0 {
			t.Errorf("read %d files, budget left %d files %d bytes", opened, b.files, b.bytes)
		}
	}
}

func checkPorts(t *testing.T, found []Found) {
	t.Helper()
	for _, f := range found {
		for _, p := range f.Ports {
			proto, n, ok := strings.Cut(p, "/")
			if _, err := portnum.Parse(n); !ok || (proto != "udp" && proto != "tcp") || err != nil {
				t.Errorf("%s: port %q does not parse back: %v", f.Source, p, err)
			}
		}
		for _, p := range f.ForwardPorts {
			if p == 0 {
				t.Errorf("%s: forward port 0", f.Source)
			}
		}
	}
}

func seeds(f *testing.F, ss ...string) {
	for _, s := range ss {
		f.Add([]byte(s))
	}
	f.Add([]byte("# " + strings.Repeat("x", maxLineLen+10) + "\nport 1\n"))
}

func FuzzSSHConfig(f *testing.F) {
	seeds(f, "Include config config config\nLocalForward 2000 h:1\n", "Include *\nHost a\n Include fifo kmsg /proc/kmsg d\n",
		"DynamicForward [::1]:0\nLocalForward=*:65535 h:1\nInclude back plain ../x ~/y\n", "Include \"a b\" [\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := fuzzTree(t)
		os.WriteFile(filepath.Join(dir, "config"), data, 0o600)
		b, done := watchedBudget(t)
		if fd, ok := sshConfigFile(filepath.Join(dir, "config"), b); ok {
			checkPorts(t, []Found{fd})
		}
		done()
	})
}

func FuzzOpenVPN(f *testing.F) {
	seeds(f, "client\nconfig config\nport 1194\n", "config fifo\nconfig kmsg\nconfig plain\nconfig back\nmanagement 127.0.0.1 7505\n",
		"<connection>\nremote h 1 tcp\n</connection>\nproto tcp-server\nlport 0\n", "<ca>\nport 9\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := fuzzTree(t)
		os.WriteFile(filepath.Join(dir, "config"), data, 0o600)
		b, done := watchedBudget(t)
		checkPorts(t, openVPNFiles(b, filepath.Join(dir, "config"), ".conf"))
		done()
		if _, err := parseOpenVPN(bytes.NewReader(data)); err != nil {
			t.Errorf("parseOpenVPN of a byte slice: %v", err)
		}
	})
}

func FuzzWireGuard(f *testing.F) {
	seeds(f, "[Interface]\nListenPort = 51820\n", "[Interface]\nListenPort=0\n[Peer]\nListenPort = 9\n", "[interface]\nlistenport = +1\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "wg0.conf"), data, 0o600)
		b, done := watchedBudget(t)
		checkPorts(t, wireGuardDir(b, dir))
		done()
		if port, _, err := parseWireGuard(bytes.NewReader(data)); err == nil && (port < 0 || port > 65535) {
			t.Errorf("port %d", port)
		}
	})
}

func FuzzStrongSwan(f *testing.F) {
	seeds(f, "charon {\n port = 4501\n port_nat_t = 0\n}\ninclude config\n", "connections {\n office {\n }\n}\ninclude d/*\ninclude fifo\n",
		"config setup\nconn %default\nconn x\ninclude kmsg\ninclude back\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := fuzzTree(t)
		for _, n := range []string{"config", "ipsec.conf", "swanctl.conf"} {
			os.WriteFile(filepath.Join(dir, n), data, 0o600)
		}
		b, done := watchedBudget(t)
		checkPorts(t, ipsecFiles(b, []string{filepath.Join(dir, "config")}, []string{filepath.Join(dir, "ipsec.conf"), filepath.Join(dir, "swanctl.conf")}))
		done()
	})
}

func FuzzRasphone(f *testing.F) {
	seeds(f, "[Work]\nType=2\nVpnStrategy=7\n", "[Modem]\nType=1\nPORT=COM3\nDevice=x\n", "\ufeff[x]\ntype=2\nvpnstrategy=99\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "rasphone.pbk"), data, 0o600)
		b, done := watchedBudget(t)
		checkPorts(t, phonebookFile(b, filepath.Join(dir, "rasphone.pbk")))
		done()
	})
}

// NetworkManager's settings come over D-Bus, not from files: the fuzzer
// feeds the values a connection's vpn.data can carry.
func FuzzNetworkManager(f *testing.F) {
	f.Add("openvpn", "1194", "no", "")
	f.Add("vpnc", "", "", "0")
	f.Add("org.freedesktop.NetworkManager.l2tp", "+1", "yes", "500")
	f.Fuzz(func(t *testing.T, svc, local, tcp, vpncPort string) {
		data := map[string]string{"local-port": local, "proto-tcp": tcp, "ipsec-enabled": tcp}
		if vpncPort != "" {
			data["Local Port"] = vpncPort
		}
		for _, typ := range []string{"vpn", "wireguard"} {
			c := nmConn{Path: "/x", ID: svc, Type: typ, Service: svc, Data: data}
			if fd, ok := c.found(); ok {
				checkPorts(t, []Found{fd})
			}
		}
	})
}
