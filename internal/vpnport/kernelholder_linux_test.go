package vpnport

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/vpnport/netlink"
)

var updateKernelIface = flag.Bool("update-kerneliface", false, "recapture tunnels/testdata/links_vxlan.bin from the running kernel")

func TestUnownedIgnoresTimeWaitAndHidden(t *testing.T) {
	if linuxUnowned([]Socket{{State: StateTimeWait}, {State: StateUnconn, OwnerHidden: true}, {State: StateUnconn, PIDs: []int{1}}}) {
		t.Error("no socket here is unowned")
	}
	if !linuxUnowned([]Socket{{State: StateUnconn, Inode: 9}}) {
		t.Error("a live socket without PIDs is unowned")
	}
}

// inNetNS runs fn on an OS thread that joined the namespace, then moves the
// thread back. Should the way back fail the thread stays locked, and Go
// retires it rather than reuse a thread in the wrong namespace. (The thread
// must not stay behind: the namespace's cleanup kills every process in it.)
func inNetNS(t *testing.T, ns *testenv.NetNS, fn func()) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			done <- err
			return
		}
		defer unix.Close(orig)
		fd, err := unix.Open("/run/netns/"+ns.Name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			done <- err
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			done <- err
			return
		}
		fn()
		if err := unix.Setns(orig, unix.CLONE_NEWNET); err != nil {
			done <- fmt.Errorf("returning to the original namespace: %w", err)
			return
		}
		runtime.UnlockOSThread()
		done <- nil
	}()
	if err := <-done; err != nil {
		t.Fatalf("namespace %s: %v", ns.Name, err)
	}
}

func ipIn(t *testing.T, ns *testenv.NetNS, args ...string) error {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"-n", ns.Name}, args...)...).CombinedOutput()
	if err != nil {
		t.Logf("ip %v: %v\n%s", args, err, out)
	}
	return err
}

// Real kernel interfaces in a private namespace: the holder of a VXLAN's and
// a Geneve's UDP port is named from rtnetlink, with its VNI, and a full probe
// of the port says the same with no process holder.
func TestKernelHolderNamesTunnelInterfaces(t *testing.T) {
	ns := testenv.NewNetNS(t)
	if ipIn(t, ns, "link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789", "local", "127.0.0.1", "dev", "lo") != nil ||
		ipIn(t, ns, "link", "set", "vx0", "up") != nil {
		testenv.Missing(t, "a VXLAN interface (kernel module vxlan)")
	}
	geneve := ipIn(t, ns, "link", "add", "gn0", "type", "geneve", "id", "7", "remote", "127.0.0.2", "dstport", "6081") == nil &&
		ipIn(t, ns, "link", "set", "gn0", "up") == nil
	var got4789, got6081, got9 string
	var obs []Observation
	var raw []byte
	inNetNS(t, ns, func() {
		got4789 = linuxKernelUDPHolder(t.Context(), 4789)
		got6081 = linuxKernelUDPHolder(t.Context(), 6081)
		got9 = linuxKernelUDPHolder(t.Context(), 9)
		p := New()
		defer p.Close()
		obs, _ = p.Probe(t.Context(), []Resource{{Kind: UDP, Port: 4789}}, ProbeOptions{})
		if *updateKernelIface {
			// An RTM_GETLINK dump of every link, saved as the kernel sends it.
			req := netlink.AppendHeader(nil, 16, 18, netlink.FRequest|netlink.FDump, 1)
			c, err := netlink.Dial(unix.NETLINK_ROUTE)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.Exchange(t.Context(), append(req, make([]byte, 16)...), func(b []byte) (bool, error) {
				raw = append(raw, b...)
				return netlink.Messages(b, 1, func(uint16, []byte) error { return nil })
			})
		}
	})
	if want := "VXLAN interface vx0 (VNI 42)"; got4789 != want {
		t.Errorf("udp/4789: %q, want %q", got4789, want)
	}
	if geneve {
		if want := "Geneve interface gn0 (VNI 7)"; got6081 != want {
			t.Errorf("udp/6081: %q, want %q", got6081, want)
		}
	} else {
		t.Log("no geneve module here: only VXLAN checked")
	}
	if got9 != "" {
		t.Errorf("udp/9 (no interface): %q, want nothing", got9)
	}
	if len(obs) != 1 || obs[0].KernelHolder != "VXLAN interface vx0 (VNI 42)" || len(obs[0].Holders) != 0 {
		t.Errorf("probe of udp/4789: %+v", obs)
	}
	if *updateKernelIface {
		dir := filepath.Join("tunnels", "testdata")
		os.MkdirAll(dir, 0o755)
		if err := os.WriteFile(filepath.Join(dir, "links_vxlan.bin"), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// WireGuard's listen port comes from its generic netlink family. This kernel
// may lack the module (then only the decoder's fixture test covers it).
func TestKernelHolderNamesWireGuardPort(t *testing.T) {
	ns := testenv.NewNetNS(t)
	if ipIn(t, ns, "link", "add", "wgx", "type", "wireguard") != nil {
		t.Skip("this kernel has no wireguard module; the genetlink decoder is covered by fixtures only")
	}
	wg := testenv.LookPath(t, "wg")
	if out, err := exec.Command("ip", "netns", "exec", ns.Name, wg, "set", "wgx", "listen-port", "51999").CombinedOutput(); err != nil {
		t.Fatalf("wg set: %v\n%s", err, out)
	}
	ipIn(t, ns, "link", "set", "wgx", "up")
	var got string
	inNetNS(t, ns, func() { got = linuxKernelUDPHolder(t.Context(), 51999) })
	if want := "WireGuard interface wgx"; got != want {
		t.Errorf("udp/51999: %q, want %q", got, want)
	}
}
