package main

// End-to-end tests of the real traycheck.exe on Windows. The Windows lane
// (scripts/test-windows.sh) builds traycheck.exe and portholder.exe (a
// Windows program that holds a port, internal/testenv/portholder) and names
// them in TRAYCHECK_E2E_EXE and TRAYCHECK_E2E_HOLDER; then every test here
// runs under Wine in the lane's throw-away prefix. Without them (plain
// `go test` on a Windows desktop) the tests are reported missing, because
// they start a second traycheck session instance and would meet the user's
// own running traycheck over the per-user named pipe.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows"

	"github.com/traycheck/traycheck/internal/testenv"
)

// e2e is one test's view of the two programs and its private user dirs.
type e2e struct {
	t      *testing.T
	exe    string
	holder string
	env    []string
}

func newE2E(t *testing.T) *e2e {
	t.Helper()
	exe, holder := os.Getenv("TRAYCHECK_E2E_EXE"), os.Getenv("TRAYCHECK_E2E_HOLDER")
	if exe == "" || holder == "" {
		testenv.Missing(t, "TRAYCHECK_E2E_EXE and TRAYCHECK_E2E_HOLDER (set by scripts/test-windows.sh)")
	}
	home := t.TempDir()
	env := os.Environ()
	cleanup := windowsUserDirs(func(k, v string) { env = append(env, k+"="+v) }, home, t.Name())
	t.Cleanup(cleanup)
	return &e2e{t: t, exe: exe, holder: holder, env: env}
}

// run runs traycheck.exe with args and returns its stdout, stderr and exit
// code.
func (e *e2e) run(args ...string) (string, string, int) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.exe, args...)
	cmd.Env = e.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatalf("traycheck.exe %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), code
}

// hold starts portholder.exe on proto/port and returns its PID; it ends
// with the test (its standard input closes).
func (e *e2e) hold(proto string, port int) int {
	e.t.Helper()
	cmd := exec.Command(e.holder, proto, strconv.Itoa(port))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ready <- line
	}()
	select {
	case line := <-ready:
		pid, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "ready ")))
		if err != nil {
			e.t.Fatalf("portholder %s/%d: %q, %s", proto, port, line, stderr.String())
		}
		return pid
	case <-time.After(30 * time.Second):
		e.t.Fatalf("portholder %s/%d never got ready: %s", proto, port, stderr.String())
	}
	return 0
}

// freePort is a port free for both TCP and UDP right now.
func freePort(t *testing.T) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", fmt.Sprintf(":%d", port))
		l.Close()
		if err == nil {
			u.Close()
			return port
		}
	}
	t.Fatal("no port free for both tcp and udp")
	return 0
}

// checkDoc is the part of `check --json` these tests read.
type checkDoc struct {
	Findings []struct {
		Resource struct {
			Kind string `json:"kind"`
			Port int    `json:"port"`
		} `json:"resource"`
		Cause   string `json:"cause"`
		Holders []struct {
			PID    int    `json:"pid"`
			Name   string `json:"name"`
			Exe    string `json:"exe"`
			Hidden bool   `json:"hidden"`
		} `json:"holders"`
		Actions []string `json:"actions"`
		Message string   `json:"message"`
	} `json:"findings"`
}

func decodeCheck(t *testing.T, out string) checkDoc {
	t.Helper()
	var d checkDoc
	if err := json.Unmarshal([]byte(out), &d); err != nil || len(d.Findings) != 1 {
		t.Fatalf("check --json: %v, %d findings:\n%s", err, len(d.Findings), out)
	}
	return d
}

// underWine reports whether this process runs under Wine (its ntdll
// exports wine_get_version; Windows' does not).
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// TestWineCheckNamesHolder: a Windows program holds udp/P; traycheck.exe
// names it, with its PID, as another app.
//
// The limit Wine puts on this, shown rather than hidden: Wine fills the
// owner PID of the iphlpapi tables only for sockets a Wine process holds
// and Wine itself tracks (UDP sockets, connected TCP sockets). A TCP
// listener (Wine accepts inside wineserver) and every native Linux process
// show owner PID 0, so traycheck cannot name them there; on Windows the
// same TCP check names portholder.exe like the UDP one.
func TestWineCheckNamesHolder(t *testing.T) {
	e := newE2E(t)
	port := freePort(t)
	pid := e.hold("udp", port)

	out, stderr, code := e.run("check", "--json", fmt.Sprintf("udp/%d", port))
	if code != exitAttention {
		t.Fatalf("check udp/%d exited %d, want %d\n%s%s", port, code, exitAttention, out, stderr)
	}
	f := decodeCheck(t, out).Findings[0]
	if f.Cause != "other-app" || len(f.Holders) != 1 {
		t.Fatalf("udp/%d: cause %q, holders %+v; want other-app by portholder.exe\n%s", port, f.Cause, f.Holders, out)
	}
	h := f.Holders[0]
	if h.PID != pid || !strings.EqualFold(h.Name, "portholder.exe") || !strings.EqualFold(filepath.Base(h.Exe), "portholder.exe") {
		t.Errorf("holder %+v, want portholder.exe with PID %d", h, pid)
	}
	if !strings.Contains(f.Message, fmt.Sprintf("PID %d", pid)) {
		t.Errorf("message %q does not name PID %d", f.Message, pid)
	}

	// The text form a user reads.
	out, _, code = e.run("check", fmt.Sprintf("udp/%d", port))
	if code != exitAttention || !strings.Contains(out, "PROBLEM  other-app ") ||
		!strings.Contains(out, fmt.Sprintf("udp/%d is held by portholder.exe (PID %d", port, pid)) {
		t.Errorf("check udp/%d exited %d:\n%s", port, code, out)
	}

	// TCP: a listener.
	tport := freePort(t)
	tpid := e.hold("tcp", tport)
	out, stderr, code = e.run("check", "--json", fmt.Sprintf("tcp/%d", tport))
	f = decodeCheck(t, out).Findings[0]
	if !underWine() {
		if code != exitAttention || f.Cause != "other-app" || len(f.Holders) != 1 || f.Holders[0].PID != tpid {
			t.Errorf("tcp/%d exited %d: %s\n%s", tport, code, out, stderr)
		}
		return
	}
	t.Logf("under Wine a TCP listener's owner PID is 0: check tcp/%d (held by PID %d) says %q: %s", tport, tpid, f.Cause, f.Message)
	if code == exitOK || f.Cause == "free" {
		t.Errorf("tcp/%d held by portholder.exe reported %q (exit %d): a listener must never look free\n%s", tport, f.Cause, code, out)
	}
	if strings.Contains(f.Message, "WireGuard") || !strings.Contains(f.Message, "owner PID 0") {
		t.Errorf("tcp/%d: %q: on Windows an ownerless port must not get Linux advice", tport, f.Message)
	}
	for _, h := range f.Holders {
		if h.PID == tpid {
			t.Errorf("Wine now reports the listener's owner PID (%+v): the PID-0 limit is gone, update this test and docs/windows.md", h)
		}
	}
}

// TestWineSecondInstanceHandsOver: the first traycheck.exe is this
// session's instance; a second launch hands over to it over the named pipe
// and exits 0, and `check-now` prints the first one's answer (it watches
// udp/P from its own config, which the check-now process never reads).
func TestWineSecondInstanceHandsOver(t *testing.T) {
	e := newE2E(t)
	port := freePort(t)
	cfg := filepath.Join(t.TempDir(), "first.toml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("[vpn]\nports = [\"udp/%d\"]\n[check]\ninterval = \"1h\"\n", port)), 0o600); err != nil {
		t.Fatal(err)
	}

	first := exec.Command(e.exe, "--config", cfg)
	first.Env = e.env
	var firstLog testenv.SyncBuffer
	first.Stdout, first.Stderr = &firstLog, &firstLog
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		first.Process.Kill()
		first.Wait()
	})

	// The first instance is ready when a check-now reaches it: before that,
	// check-now says no traycheck runs and checks the default config itself.
	var out, stderr string
	var code int
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, stderr, code = e.run("check-now", "--json")
		if !strings.Contains(stderr, "no traycheck is running") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first traycheck.exe never answered over the pipe; its output:\n%s", firstLog.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code != exitOK {
		t.Fatalf("check-now exited %d: %s\n%s\nfirst:\n%s", code, out, stderr, firstLog.String())
	}
	f := decodeCheck(t, out).Findings[0]
	if f.Resource.Kind != "udp" || f.Resource.Port != port || f.Cause != "free" {
		t.Errorf("check-now answered %+v, want the first instance's udp/%d, free", f, port)
	}

	// A second bare launch hands over and exits at once.
	out, stderr, code = e.run()
	if code != exitOK || !strings.Contains(stderr, "already running in this session; asked it to check now") {
		t.Errorf("second traycheck.exe exited %d:\n%s%s", code, out, stderr)
	}
	if !strings.Contains(out, fmt.Sprintf("udp/%d", port)) {
		t.Errorf("second launch did not print the first one's check of udp/%d:\n%s", port, out)
	}

	// What Windows starts when a toast button is clicked: the URI reaches
	// the first instance, which refuses a token it never showed.
	uri := fmt.Sprintf("traycheck:action?id=retry&tag=udp%%2F%d&token=0123456789abcdef", port)
	out, stderr, code = e.run("--action-uri", uri)
	if code == exitOK || !strings.Contains(stderr, "the running traycheck said: rejected") || !strings.Contains(firstLog.String(), "ignored an answer that was not offered") {
		t.Errorf("--action-uri %s: exit %d, want a refusal from the first instance:\n%s%s\nfirst:\n%s", uri, code, out, stderr, firstLog.String())
	}
	if err := first.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	if n := strings.Count(firstLog.String(), "op=check-now"); n < 2 {
		t.Errorf("the first instance logged %d forwarded check-now requests, want 2:\n%s", n, firstLog.String())
	}
}

// TestWineAutostartRoundTrip: enable, status and disable of the real exe
// write, report and remove the Run value, under the test's own key
// (TRAYCHECK_TEST_RUN_KEY), read back independently with reg.exe.
func TestWineAutostartRoundTrip(t *testing.T) {
	e := newE2E(t)
	var key string
	for _, kv := range e.env {
		if v, ok := strings.CutPrefix(kv, "TRAYCHECK_TEST_RUN_KEY="); ok {
			key = `HKCU\` + v
		}
	}
	reg := func(args ...string) (string, error) {
		b, err := exec.Command("reg", args...).CombinedOutput()
		return string(b), err
	}
	if out, _, code := e.run("autostart", "status"); code != exitOK || !strings.HasPrefix(out, "disabled: ") {
		t.Fatalf("status before: exit %d: %s", code, out)
	}
	out, stderr, code := e.run("autostart", "enable")
	want := fmt.Sprintf(`enabled: %s\traycheck (written by traycheck) runs "%s"`, key, e.exe)
	if code != exitOK || strings.TrimSpace(out) != want {
		t.Fatalf("enable: exit %d:\n%s%s\nwant %s", code, out, stderr, want)
	}
	got, err := reg("query", key, "/v", "traycheck")
	if err != nil || !strings.Contains(got, `"`+e.exe+`"`) {
		t.Fatalf("reg query %s: %v\n%s", key, err, got)
	}
	if out, _, code := e.run("autostart", "status"); code != exitOK || strings.TrimSpace(out) != want {
		t.Errorf("status: exit %d: %s", code, out)
	}
	if out, _, code := e.run("autostart", "disable"); code != exitOK || !strings.HasPrefix(out, "disabled: ") {
		t.Errorf("disable: exit %d: %s", code, out)
	}
	if got, err := reg("query", key, "/v", "traycheck"); err == nil {
		t.Errorf("the Run value is still there after disable:\n%s", got)
	}
}

// TestWineReconnectConfigOthersMayWriteRefused: a config with a reconnect
// command in a folder Everyone has full control of is refused by the real
// exe through the ACL check, naming the folder and the fix; the same file
// in a private folder validates.
func TestWineReconnectConfigOthersMayWriteRefused(t *testing.T) {
	e := newE2E(t)
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte("[vpn]\nreconnect = [\"rasdial\", \"Office VPN\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, stderr, code := e.run("config", "validate", "--config", cfg); code != exitOK {
		t.Fatalf("private config: exit %d:\n%s%s", code, out, stderr)
	}
	testenv.GrantEveryone(t, dir, windows.GENERIC_ALL)
	out, stderr, code := e.run("config", "validate", "--config", cfg)
	if code != exitUsage || !strings.Contains(stderr, "refusing the reconnect command: S-1-1-0 may change "+dir) ||
		!strings.Contains(stderr, `icacls "`+dir+`"`) {
		t.Errorf("config in a folder Everyone may change: exit %d, want %d and the refusal:\n%s%s", code, exitUsage, out, stderr)
	}
}
