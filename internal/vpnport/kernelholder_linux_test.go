package vpnport

import (
	"os"
	"path/filepath"
	"testing"
)

func TestKernelUDPHolderNamesWireGuardInterfaces(t *testing.T) {
	dir := t.TempDir()
	write := func(iface, uevent string) {
		if err := os.MkdirAll(filepath.Join(dir, iface), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, iface, "uevent"), []byte(uevent), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := sysNetRoot
	sysNetRoot = dir
	t.Cleanup(func() { sysNetRoot = old })

	write("eth0", "INTERFACE=eth0\nIFINDEX=2\n")
	if got := linuxKernelUDPHolder(); got != "" {
		t.Errorf("no WireGuard: %q, want nothing", got)
	}
	write("wg0", "DEVTYPE=wireguard\nINTERFACE=wg0\nIFINDEX=5\n")
	if got := linuxKernelUDPHolder(); got != "WireGuard interface wg0" {
		t.Errorf("one WireGuard: %q", got)
	}
	write("wg1", "DEVTYPE=wireguard\nINTERFACE=wg1\n")
	if got := linuxKernelUDPHolder(); got != "a WireGuard interface (wg0, wg1)" {
		t.Errorf("two WireGuard: %q", got)
	}
}

func TestUnownedIgnoresTimeWaitAndHidden(t *testing.T) {
	if linuxUnowned([]Socket{{State: StateTimeWait}, {State: StateUnconn, OwnerHidden: true}, {State: StateUnconn, PIDs: []int{1}}}) {
		t.Error("no socket here is unowned")
	}
	if !linuxUnowned([]Socket{{State: StateUnconn, Inode: 9}}) {
		t.Error("a live socket without PIDs is unowned")
	}
}
