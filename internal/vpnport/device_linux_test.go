package vpnport

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/testenv"
)

func TestProbeDevicePTY(t *testing.T) {
	for _, mode := range []string{"plain", "excl"} {
		t.Run(mode, func(t *testing.T) {
			h := startHelper(t, "pty", mode)
			path := h.ready[0]
			// An alias path: the holder's fd link says /dev/pts/N, so only the
			// device number can tie the two together.
			alias := filepath.Join(t.TempDir(), "modem")
			if err := os.Symlink(path, alias); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{path, alias} {
				o := probeOne(t, Resource{Kind: Device, Path: p})
				var pids []int
				for _, hd := range o.Holders {
					pids = append(pids, hd.PID)
				}
				if !o.Exists || !slices.Contains(pids, h.pid) {
					t.Errorf("%s: exists=%v holders %v, want helper %d", p, o.Exists, pids, h.pid)
				}
				// The passive scan answered (we may read every process), so
				// the device must not have been opened.
				if o.Busy || o.OpenErr != "" {
					t.Errorf("%s: busy=%v openErr=%q: opened although the scan answered", p, o.Busy, o.OpenErr)
				}
			}
		})
	}
}

func TestProbeLockFiles(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	old := lockDirs
	lockDirs = []string{a, b}
	t.Cleanup(func() { lockDirs = old })

	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	deadPID := dead.Process.Pid
	// FHS text format in the second directory, for a dead PID.
	if err := os.WriteFile(filepath.Join(b, "LCK..ttyFAKE0"), []byte(fmt.Sprintf("%10d\n", deadPID)), 0o644); err != nil {
		t.Fatal(err)
	}
	// Old binary format in the first, for a live PID (ours).
	bin := binary.NativeEndian.AppendUint32(nil, uint32(os.Getpid()))
	if err := os.WriteFile(filepath.Join(a, "LCK..ttyFAKE1"), bin, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		dev   string
		want  *LockFile
		exist bool
	}{
		{"/dev/ttyFAKE0", &LockFile{Path: filepath.Join(b, "LCK..ttyFAKE0"), PID: deadPID, Alive: false}, false},
		{"/dev/serial/by-id/x/ttyFAKE1", &LockFile{Path: filepath.Join(a, "LCK..ttyFAKE1"), PID: os.Getpid(), Alive: true}, false},
		{"/dev/null", nil, true},
	} {
		o := probeOne(t, Resource{Kind: Device, Path: tc.dev})
		if o.Exists != tc.exist {
			t.Errorf("%s: exists = %v", tc.dev, o.Exists)
		}
		var holder *Holder
		if o.Lock != nil {
			holder, o.Lock.Holder = o.Lock.Holder, nil
		}
		if (o.Lock == nil) != (tc.want == nil) || o.Lock != nil && *o.Lock != *tc.want {
			t.Errorf("%s: lock = %+v, want %+v", tc.dev, o.Lock, tc.want)
		}
		// A live lock names its process; a dead one has none to name.
		if live := tc.want != nil && tc.want.Alive; live != (holder != nil) || holder != nil && holder.PID != os.Getpid() {
			t.Errorf("%s: lock holder = %+v", tc.dev, holder)
		}
	}
}

func TestProbeMissingDevice(t *testing.T) {
	dir := t.TempDir()
	sys := t.TempDir()
	old := sysTTYRoot
	sysTTYRoot = sys
	t.Cleanup(func() { sysTTYRoot = old })
	for _, name := range []string{"ttyFOO0", "ttyFOO12", "ttyFOOBAR0", "ttyS0", "ttyS1"} {
		if err := os.Symlink("/dev/null", filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	// A regular file is not a device.
	if err := os.WriteFile(filepath.Join(dir, "ttyFOO3"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// ttyS0 is a real 16550A (type 4), ttyS1 a placeholder with no UART.
	for name, typ := range map[string]string{"ttyS0": "4\n", "ttyS1": "0\n"} {
		os.Mkdir(filepath.Join(sys, name), 0o755)
		if err := os.WriteFile(filepath.Join(sys, name, "type"), []byte(typ), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for path, want := range map[string][]string{
		filepath.Join(dir, "ttyFOO7"): {filepath.Join(dir, "ttyFOO0"), filepath.Join(dir, "ttyFOO12")},
		filepath.Join(dir, "ttyS4"):   {filepath.Join(dir, "ttyS0")},
		filepath.Join(dir, "ttyXYZ0"): nil,
	} {
		o := probeOne(t, Resource{Kind: Device, Path: path})
		if o.Exists || !slices.Equal(o.Available, want) || len(o.Holders) != 0 {
			t.Errorf("%s: exists=%v available=%q holders=%v, want missing with %q", path, o.Exists, o.Available, o.Holders, want)
		}
	}
}

// TestProbeUnprivileged runs the probe as nobody while root holds a port and
// a TIOCEXCL'd pseudo-terminal: the port must read as held by a hidden root
// process (never free), the device as busy.
func TestProbeUnprivileged(t *testing.T) {
	nobody := testenv.AsNobody(t)
	port := startHelper(t, "listen", "tcp4", "127.0.0.1:0").port(t)
	pty := startHelper(t, "pty", "excl").ready[0]
	bin := testenv.CopyTestBinary(t)
	target := "tcp/" + strconv.Itoa(int(port))

	obs := probeAs(t, append(nobody, bin), target, pty)
	assertHiddenRootListener(t, obs[0])
	dev := obs[1]
	if !dev.Exists || !dev.Busy || !strings.Contains(dev.OpenErr, "busy") || len(dev.Holders) != 0 {
		t.Errorf("device = %+v, want exists, busy (EBUSY from TIOCEXCL), no readable holder", dev)
	}

	// The background check never opens the device (DTR would reset a
	// board): it reports what it saw passively and nothing more.
	obs = probeAs(t, append(nobody, bin), "--passive", target, pty)
	assertHiddenRootListener(t, obs[0])
	if dev := obs[1]; !dev.Exists || dev.Busy || dev.OpenErr != "" || !dev.Unseen {
		t.Errorf("passive device = %+v, want exists, unseen (a holder may be hidden) and no open attempt", dev)
	}
}

// TestProbeInPIDNamespace is the container view: root, but in a fresh PID
// namespace whose /proc lists only its own processes. A port held outside
// must read as held by a hidden owner, not as the kernel's (which, after a
// wake, would suggest a reboot).
func TestProbeInPIDNamespace(t *testing.T) {
	testenv.Root(t)
	unshare := testenv.LookPath(t, "unshare")
	port := startHelper(t, "listen", "tcp4", "127.0.0.1:0").port(t)
	bin := testenv.CopyTestBinary(t)
	obs := probeAs(t, []string{unshare, "--pid", "--fork", "--mount-proc", bin}, "tcp/"+strconv.Itoa(int(port)))
	if len(obs[0].Sockets) != 1 || !obs[0].Sockets[0].OwnerHidden {
		t.Fatalf("sockets = %+v, want the outside listener with its owner hidden", obs[0].Sockets)
	}
	if len(obs[0].Holders) != 1 || !obs[0].Holders[0].Hidden || obs[0].Holders[0].User != "root" {
		t.Errorf("holders = %+v, want one hidden root holder", obs[0].Holders)
	}
}

func assertHiddenRootListener(t *testing.T, o Observation) {
	t.Helper()
	if len(o.Sockets) != 1 {
		t.Fatalf("sockets = %+v, want the root listener", o.Sockets)
	}
	s := o.Sockets[0]
	if !s.OwnerHidden || s.UID != 0 || len(s.PIDs) != 0 || s.Inode == 0 {
		t.Errorf("socket = %+v, want owner hidden, uid 0", s)
	}
	if len(o.Holders) != 1 || !o.Holders[0].Hidden || o.Holders[0].UID != 0 ||
		o.Holders[0].User != "root" || o.Holders[0].PID != 0 {
		t.Errorf("holders = %+v, want one hidden root holder", o.Holders)
	}
}

// probeAs runs the test binary's probe helper under prefix (setpriv,
// unshare, ending with the binary) and decodes its observations.
func probeAs(t *testing.T, prefix []string, args ...string) []Observation {
	t.Helper()
	cmd := exec.Command(prefix[0], append(prefix[1:], args...)...)
	cmd.Env = append(os.Environ(), helperEnv+"=probe")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("probe under %v: %v", prefix, err)
	}
	var obs []Observation
	if err := json.Unmarshal(out, &obs); err != nil || len(obs) == 0 {
		t.Fatalf("probe output %q: %v", out, err)
	}
	return obs
}
