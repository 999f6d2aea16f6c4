package realprog

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.RemoveBuilt()
	os.Exit(code)
}

// finding is the part of `check --json`'s finding these tests read.
type finding struct {
	Resource struct {
		Kind string `json:"kind"`
		Port int    `json:"port"`
	} `json:"resource"`
	Cause   string `json:"cause"`
	Holders []struct {
		PID      int      `json:"pid"`
		Name     string   `json:"name"`
		User     string   `json:"user"`
		Hidden   bool     `json:"hidden"`
		Kernel   bool     `json:"kernel"`
		Probable bool     `json:"probable"`
		Cmdline  []string `json:"cmdline"`
		Role     string   `json:"role"`
	} `json:"holders"`
	TimeWaitLeftS int      `json:"time_wait_left_s"`
	Actions       []string `json:"actions"`
	Message       string   `json:"message"`
	Commands      []string `json:"commands"`
}

// role is the first holder's role, as diagnose.Finding.Role gives it.
func (f finding) role() string {
	for _, h := range f.Holders {
		if h.Role != "" {
			return h.Role
		}
	}
	return ""
}

func (f finding) holderPIDs(probable bool) []int {
	var out []int
	for _, h := range f.Holders {
		if h.Probable == probable && !h.Hidden {
			out = append(out, h.PID)
		}
	}
	return out
}

// binary returns the built traycheck in a directory nobody may enter too.
func binary(t *testing.T) string {
	t.Helper()
	bin := testenv.Traycheck(t)
	if err := os.Chmod(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// writeConfig writes a config file nobody can read (and not write).
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "realprog-config-") // t.TempDir's parent is closed to nobody
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// asNobody is the argv prefix that drops to nobody, as the tray runs: an
// ordinary user who may not read root's fd tables.
func asNobody(t *testing.T) []string {
	t.Helper()
	return testenv.AsNobody(t)
}

// check runs `traycheck check --json --config cfg targets...` in ns under
// prefix (nil: as root) and returns the exit code and the findings.
func check(t *testing.T, ns *testenv.NetNS, prefix []string, cfg string, targets ...string) (int, []finding) {
	t.Helper()
	argv := append(slices.Clone(prefix), binary(t), "check", "--json", "--config", cfg)
	argv = append(argv, targets...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := ns.Command(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "HOME=/nonexistent", "XDG_CONFIG_HOME=/nonexistent", "XDG_CACHE_HOME=/nonexistent")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("traycheck check: %v\n%s", err, stderr.String())
	}
	var doc struct {
		Findings []finding `json:"findings"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("traycheck check (exit %d): %v\nstdout: %s\nstderr: %s", code, err, out, stderr.String())
	}
	return code, doc.Findings
}

// waitHeld waits until ss in ns shows a socket on proto/port.
func waitHeld(t *testing.T, ns *testenv.NetNS, p *testenv.Proc, proto string, port int) {
	t.Helper()
	flag := "-Hunl"
	if proto == "tcp" {
		flag = "-Htnl"
	}
	testenv.WaitFor(t, 10*time.Second, fmt.Sprintf("%s/%d bound", proto, port), func() bool {
		if p != nil {
			if done, err := p.Exited(); done {
				t.Fatalf("%v exited: %v\n%s", p.Cmd.Args, err, p.Log.String())
			}
		}
		out, _ := ns.Command(context.Background(), "ss", flag, fmt.Sprintf("sport = :%d", port)).Output()
		return strings.Contains(string(out), fmt.Sprintf(":%d", port))
	})
}

// nsPID returns the PID of the process in ns whose comm is name and that
// descends from p (ip netns exec execs in place, so usually p's own PID).
func nsPIDs(t *testing.T, ns *testenv.NetNS, name string) []int {
	t.Helper()
	out, err := exec.Command("ip", "netns", "pids", ns.Name).Output()
	if err != nil {
		t.Fatalf("ip netns pids: %v", err)
	}
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		var pid int
		fmt.Sscan(f, &pid)
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if strings.TrimSpace(string(comm)) == name {
			pids = append(pids, pid)
		}
	}
	slices.Sort(pids)
	return pids
}

func vpnConfig(ports ...string) string {
	q := make([]string, len(ports))
	for i, p := range ports {
		q[i] = fmt.Sprintf("%q", p)
	}
	return "[vpn]\nports = [" + strings.Join(q, ", ") + "]\n"
}

func only(t *testing.T, fs []finding) finding {
	t.Helper()
	if len(fs) != 1 {
		t.Fatalf("want one finding, got %+v", fs)
	}
	return fs[0]
}

func itoa(n int) string { return fmt.Sprint(n) }
