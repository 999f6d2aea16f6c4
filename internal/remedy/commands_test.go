package remedy

import (
	"context"
	"errors"
	"os/exec"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// recorder is the exec edge of a Runner in tests: it records every argv and
// whether it ran elevated, and fails the commands named in fail.
type recorder struct {
	calls []string
	fail  map[string]error
}

func (rc *recorder) options(o Options) Options {
	o.Run = func(_ context.Context, argv []string) ([]byte, error) { return rc.record("", argv) }
	o.Elevated = func(_ context.Context, argv []string) ([]byte, error) { return rc.record("elevated ", argv) }
	return o
}

func (rc *recorder) record(prefix string, argv []string) ([]byte, error) {
	line := prefix + strings.Join(argv, " ")
	rc.calls = append(rc.calls, line)
	for k, err := range rc.fail {
		if strings.Contains(line, k) {
			return []byte("boom: " + k + "\n"), err
		}
	}
	return nil, nil
}

func finding(actions ...diagnose.Action) diagnose.Finding {
	return diagnose.Finding{
		Resource: vpnport.Resource{Kind: vpnport.UDP, Port: 1194},
		Cause:    diagnose.StaleAfterWake,
		Actions:  actions,
	}
}

func TestRetryRunsReconnectFirst(t *testing.T) {
	rc := &recorder{}
	r := New(rc.options(Options{Reconnect: []string{"nmcli", "connection", "up", "work vpn"}}))
	if _, err := r.Do(context.Background(), Request{Action: diagnose.Retry, Finding: finding()}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"nmcli connection up work vpn"}; !reflect.DeepEqual(rc.calls, want) {
		t.Errorf("ran %q, want %q", rc.calls, want)
	}
}

// TestRetryReportsReconnectFailure runs a real program that fails: the error
// must carry the exit status, not be swallowed.
func TestRetryReportsReconnectFailure(t *testing.T) {
	var argv []string
	if runtime.GOOS == "windows" {
		argv = []string{testenv.LookPath(t, "cmd"), "/c", "exit 1"} // Windows has no false
	} else {
		argv = []string{testenv.LookPath(t, "false")}
	}
	r := New(Options{Reconnect: argv})
	_, err := r.Do(context.Background(), Request{Action: diagnose.Retry, Finding: finding()})
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("Do = %v, want the exit error of false", err)
	}
}

func TestWaitRechecksWhenTimeWaitEnds(t *testing.T) {
	f := finding(diagnose.Wait)
	f.TimeWaitLeftS = 42
	res, err := New(Options{}).Do(context.Background(), Request{Action: diagnose.Wait, Finding: f})
	if err != nil {
		t.Fatal(err)
	}
	if res.RecheckAfter != 43*time.Second {
		t.Errorf("RecheckAfter = %v, want 43s", res.RecheckAfter)
	}
}

func TestResetAdapterCommands(t *testing.T) {
	cases := []struct {
		goos, adapter string
		nm            bool
		want          []string
	}{
		{"linux", "wlp2s0", true, []string{"nmcli device disconnect wlp2s0", "nmcli device connect wlp2s0"}},
		{"linux", "tun0", false, []string{"elevated ip link set dev tun0 down", "elevated ip link set dev tun0 up"}},
		{"windows", "Wi-Fi 2", false, []string{
			`elevated netsh interface set interface name="Wi-Fi 2" admin=disabled`,
			`elevated netsh interface set interface name="Wi-Fi 2" admin=enabled`}},
		{"darwin", "Wi-Fi", false, []string{
			"elevated networksetup -setnetworkserviceenabled Wi-Fi off",
			"elevated networksetup -setnetworkserviceenabled Wi-Fi on"}},
	}
	for _, c := range cases {
		t.Run(c.goos+"/"+c.adapter, func(t *testing.T) {
			rc := &recorder{}
			r := New(rc.options(Options{GOOS: c.goos, Adapter: c.adapter,
				NetworkManager: func(context.Context) bool { return c.nm }}))
			req := Request{Action: diagnose.ResetAdapter, Finding: finding(diagnose.ResetAdapter)}
			if _, err := r.Do(context.Background(), req); !errors.Is(err, ErrNeedsConfirmation) || len(rc.calls) != 0 {
				t.Fatalf("unconfirmed: err %v, ran %q", err, rc.calls)
			}
			req.Confirmed = true
			if _, err := r.Do(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rc.calls, c.want) {
				t.Errorf("ran %q, want %q", rc.calls, c.want)
			}
		})
	}
}

func TestResetAdapterReportsFailure(t *testing.T) {
	denied := errors.New("not authorized")
	for step, wantRan := range map[string]int{" down": 1, " up": 2} {
		rc := &recorder{fail: map[string]error{step: denied}}
		r := New(rc.options(Options{GOOS: "linux", Adapter: "tun0", NetworkManager: func(context.Context) bool { return false }}))
		_, err := r.Do(context.Background(), Request{Action: diagnose.ResetAdapter, Finding: finding(diagnose.ResetAdapter), Confirmed: true})
		if !errors.Is(err, denied) || !strings.Contains(err.Error(), "boom") {
			t.Errorf("%s failing: err = %v, want it wrapped with the output", step, err)
		}
		if len(rc.calls) != wantRan {
			t.Errorf("%s failing: ran %q", step, rc.calls)
		}
	}
}

func TestResetAdapterRefusesBadNames(t *testing.T) {
	for _, name := range []string{"", "-a", "a b", "eth0/x", "sixteen-chars-xx", "x\ny", `a"b`} {
		rc := &recorder{}
		r := New(rc.options(Options{GOOS: "linux", Adapter: name, NetworkManager: func(context.Context) bool { return false }}))
		_, err := r.Do(context.Background(), Request{Action: diagnose.ResetAdapter, Finding: finding(diagnose.ResetAdapter), Confirmed: true})
		if err == nil || len(rc.calls) != 0 {
			t.Errorf("adapter %q: err %v, ran %q", name, err, rc.calls)
		}
	}
	if err := ValidAdapterName("windows", "Ethernet 2"); err != nil {
		t.Errorf("a Windows connection name with a space: %v", err)
	}
}

// TestRebootOnlyAssertsArgv never reboots: Run is the recorder. The restart
// is scheduled a minute ahead where the OS allows it, and the result says how
// to call it off.
func TestRebootOnlyAssertsArgv(t *testing.T) {
	for goos, want := range map[string]struct{ argv, cancel string }{
		"linux":   {"shutdown -r +1 traycheck: reboot requested to clear a stale port", "shutdown -c"},
		"windows": {"shutdown /r /t 60 /c traycheck: reboot requested to clear a stale port", "shutdown /a"},
		"darwin":  {`osascript -e tell application "System Events" to restart`, ""},
	} {
		rc := &recorder{}
		r := New(rc.options(Options{GOOS: goos}))
		req := Request{Action: diagnose.RebootSuggested, Finding: finding(diagnose.Retry), Confirmed: true}
		if _, err := r.Do(context.Background(), req); !errors.Is(err, ErrRefused) {
			t.Errorf("%s: reboot not offered: err %v", goos, err)
		}
		req.Finding = finding(diagnose.RebootSuggested)
		req.Confirmed = false
		if _, err := r.Do(context.Background(), req); !errors.Is(err, ErrNeedsConfirmation) {
			t.Errorf("%s: unconfirmed: err %v", goos, err)
		}
		req.Confirmed = true
		res, err := r.Do(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rc.calls, []string{want.argv}) {
			t.Errorf("%s: ran %q, want %q", goos, rc.calls, want.argv)
		}
		if want.cancel != "" && !strings.Contains(res.Message, "run: "+want.cancel) {
			t.Errorf("%s: message %q does not say how to cancel (%s)", goos, res.Message, want.cancel)
		}
	}
}

func TestCheckAsAdmin(t *testing.T) {
	rc := &recorder{}
	o := rc.options(Options{Self: "/opt/traycheck/traycheck"})
	o.Elevated = func(_ context.Context, argv []string) ([]byte, error) {
		rc.record("elevated ", argv)
		return []byte(`{"findings":[]}`), &exec.ExitError{}
	}
	f := finding(diagnose.CheckAsAdmin)
	f.Resource = vpnport.Resource{Kind: vpnport.TCP, Port: 8080}
	res, err := New(o).Do(context.Background(), Request{Action: diagnose.CheckAsAdmin, Finding: f})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"elevated /opt/traycheck/traycheck check --json tcp/8080"}; !reflect.DeepEqual(rc.calls, want) {
		t.Errorf("ran %q, want %q", rc.calls, want)
	}
	if res.Message != `{"findings":[]}` {
		t.Errorf("message %q, want the check's output", res.Message)
	}

	// With the user's config, the elevated check judges with it, and the
	// answer is the findings' messages, not a JSON dump.
	rc.calls = nil
	o.ConfigPath = "/home/alice/.config/traycheck/config.toml"
	o.Elevated = func(_ context.Context, argv []string) ([]byte, error) {
		rc.record("elevated ", argv)
		return []byte(`{"checked_at":"x","findings":[{"message":"tcp/8080 is held by nginx (PID 7, /usr/sbin/nginx, user www-data)."}]}`), &exec.ExitError{}
	}
	res, err = New(o).Do(context.Background(), Request{Action: diagnose.CheckAsAdmin, Finding: f})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"elevated /opt/traycheck/traycheck check --json --config /home/alice/.config/traycheck/config.toml tcp/8080"}; !reflect.DeepEqual(rc.calls, want) {
		t.Errorf("ran %q, want %q", rc.calls, want)
	}
	if res.Message != "as administrator: tcp/8080 is held by nginx (PID 7, /usr/sbin/nginx, user www-data)." {
		t.Errorf("message %q", res.Message)
	}
	f.Resource = vpnport.Resource{Kind: vpnport.Device, Path: "-rf"}
	if _, err := New(o).Do(context.Background(), Request{Action: diagnose.CheckAsAdmin, Finding: f}); !errors.Is(err, ErrRefused) {
		t.Errorf("target -rf: err %v, want ErrRefused", err)
	}
}

func TestUnknownActionRefused(t *testing.T) {
	f := finding("format-disk")
	if _, err := New(Options{}).Do(context.Background(), Request{Action: "format-disk", Finding: f, Confirmed: true}); !errors.Is(err, ErrRefused) {
		t.Errorf("err %v, want ErrRefused", err)
	}
}

func TestWindowsCommandLine(t *testing.T) {
	cases := map[string][]string{
		`interface set interface name="Wi-Fi 2" admin=disabled`: {"interface", "set", "interface", `name="Wi-Fi 2"`, "admin=disabled"},
		`"a b" "" "x\"y" "c:\my dir\\" c:\dir\ plain`:           {"a b", "", `x"y`, `c:\my dir\`, `c:\dir\`, "plain"},
		`"name=\"a\"b\""`: {`name="a"b"`},
	}
	for want, args := range cases {
		if got := windowsCommandLine(args); got != want {
			t.Errorf("windowsCommandLine(%q) = %s, want %s", args, got, want)
		}
	}
}

// An action the machine policy forbids is refused whatever asks for it, even
// confirmed and offered, and the error names the policy.
func TestForbiddenByPolicy(t *testing.T) {
	f := diagnose.Finding{Resource: vpnport.Resource{Kind: vpnport.UDP, Port: 1194}, Cause: diagnose.OtherApp,
		Holders: []vpnport.Holder{{PID: 1, Name: "init"}}, Actions: []diagnose.Action{diagnose.Retry, diagnose.EndProcess}}
	r := New(Options{Forbidden: []string{"end-process"}, ForbiddenBy: "/etc/traycheck/policy.toml"})
	_, err := r.Do(context.Background(), Request{Action: diagnose.EndProcess, Finding: f, PID: 1, Confirmed: true})
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "end-process is forbidden by the machine policy (/etc/traycheck/policy.toml)") {
		t.Fatalf("got %v", err)
	}
}
