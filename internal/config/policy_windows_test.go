package config

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/windows/registry"
)

// The registry reader against a real registry (Wine's, in the Windows lane):
// a key of the test's own under HKCU, never the machine's policy key.
func TestMachinePolicyRegistry(t *testing.T) {
	key := testPolicyKey(t, "test", `\vpn`, `\ssh`, `\policy`)
	if p, err := LoadMachinePolicy(testActions); p != nil || err != nil {
		t.Fatalf("no key: %v %v", p, err)
	}
	mk := func(sub string) registry.Key {
		k, _, err := registry.CreateKey(registry.CURRENT_USER, key+sub, registry.ALL_ACCESS)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	vpn := mk(`\vpn`)
	vpn.SetStringsValue("ports", []string{"udp/500", "udp/4500"})
	vpn.SetStringValue("name", "Corp")
	vpn.Close()
	ssh := mk(`\ssh`)
	ssh.SetStringsValue("forward_ports", []string{"5432", "8080"})
	ssh.Close()
	pol := mk(`\policy`)
	pol.SetStringsValue("forbid_actions", []string{"end-process"})
	pol.SetDWordValue("share_cmdline", 1)
	pol.Close()
	p, err := LoadMachinePolicy(testActions)
	if err != nil {
		t.Fatal(err)
	}
	if p.Values.VPNName != "Corp" || len(p.Values.Ports) != 2 || len(p.Values.SSHForwardPorts) != 2 || !p.ShareCmdline || !p.Forbids("end-process") {
		t.Fatalf("%+v %+v", p, p.Values)
	}
	// A bad value is refused, naming the registry value.
	vpn = mk(`\vpn`)
	vpn.SetStringsValue("ports", []string{"udp/99999"})
	vpn.Close()
	_, err = LoadMachinePolicy(testActions)
	if err == nil || !strings.Contains(err.Error(), `HKCU\`+key+`\vpn\ports: bad port "udp/99999"`) {
		t.Fatalf("got %v", err)
	}
}

// testPolicyKey points PolicyRoot and PolicyKey at a key of the test's own,
// HKCU\Software\traycheck-NAME-PID\policy, and returns it. At cleanup it
// puts them back and deletes the key's subkeys subs (registry keys go only
// when empty: deepest first), the key and its parent.
func testPolicyKey(t *testing.T, name string, subs ...string) string {
	t.Helper()
	key := fmt.Sprintf(`Software\traycheck-%s-%d\policy`, name, os.Getpid())
	oldRoot, oldKey := PolicyRoot, PolicyKey
	PolicyRoot, PolicyKey = registry.CURRENT_USER, key
	t.Cleanup(func() {
		PolicyRoot, PolicyKey = oldRoot, oldKey
		for _, sub := range subs {
			registry.DeleteKey(registry.CURRENT_USER, key+sub)
		}
		registry.DeleteKey(registry.CURRENT_USER, key)
		registry.DeleteKey(registry.CURRENT_USER, strings.TrimSuffix(key, `\policy`))
	})
	return key
}
