package tray

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/notify/compose"
	"github.com/traycheck/traycheck/internal/remedy"
	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// outcomeRig is a controller on a console notifier whose loop answers
// every request with outcome(req).
func outcomeRig(t *testing.T, outcome func(monitor.Request) (monitor.ActionOutcome, []diagnose.Finding), o Options) (*Controller, *testenv.SyncBuffer, *notify.Console) {
	t.Helper()
	out := &testenv.SyncBuffer{}
	con := notify.NewConsole(out)
	o.Notifier = con
	c := NewController(o)
	loop := newFakeLoop()
	loop.answer = func(r monitor.Request) monitor.Report {
		r.Finding = held
		a, fs := outcome(r)
		a.Request = r
		return monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Action}, At: time.Now(), Findings: fs, Action: &a}
	}
	c.Attach(loop)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go c.Run(ctx)
	c.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Interval}, First: true, At: time.Now(),
		Findings: []diagnose.Finding{held}, Transitions: []diagnose.Finding{held}})
	waitFor(t, "the conflict note", func() bool { return strings.Contains(out.String(), "udp/1194 is held by python3") })
	return c, out, con
}

func act(c *Controller, a diagnose.Action) {
	c.Do(context.Background(), Command{Kind: Act, Action: a, Resource: udp1194, PID: ActPID(held, a)})
}

// Issue 25 item 1: every action answers visibly, from the menu too; the
// "free again" note of the same check does not hide what was done.
func TestMenuActionsAnswerVisibly(t *testing.T) {
	freed := free(udp1194)
	cases := []struct {
		name    string
		action  diagnose.Action
		outcome monitor.ActionOutcome
		after   diagnose.Finding
		want    []string
	}{
		{"done", diagnose.Retry, monitor.ActionOutcome{Result: remedy.Result{Message: "ended python3 (PID 4242)"}}, freed,
			[]string{"Ended python3 (PID 4242); udp/1194 is free\n"}},
		{"suggestion", diagnose.UseOtherPort, monitor.ActionOutcome{Result: remedy.Result{Message: "udp/1195 is free now",
			Suggested: &remedy.Suggestion{Port: 1195}}}, held,
			[]string{"Use udp/1195: free now\n", "Instead of udp/1194, held by python3 (PID 4242).", "Copy: traycheck action copy"}},
		{"refused", diagnose.Retry, monitor.ActionOutcome{Err: fmt.Errorf("retry: %w", fmt.Errorf("%w: nothing to retry", remedy.ErrRefused))}, held,
			[]string{"Retry: not done\n", "nothing to retry."}},
		{"failed", diagnose.CheckAsAdmin, monitor.ActionOutcome{Err: fmt.Errorf("check-as-admin: %w",
			errors.New("administrator rights are needed and pkexec is not installed (install polkit, or run the command as root)"))}, held,
			[]string{"Check as admin failed\n", "(install polkit, or run the command as root)", adminCommand(runtime.GOOS, udp1194)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, out, _ := outcomeRig(t, func(monitor.Request) (monitor.ActionOutcome, []diagnose.Finding) {
				return tc.outcome, []diagnose.Finding{tc.after}
			}, Options{})
			act(c, tc.action)
			for _, w := range tc.want {
				waitFor(t, fmt.Sprintf("%q in\n%s", w, out.String()), func() bool { return strings.Contains(out.String(), w) })
			}
			if tc.name == "done" {
				// The same check's transition arrives after the result: it
				// must not replace "Ended ...".
				c.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Action}, Findings: []diagnose.Finding{freed},
					Transitions: []diagnose.Finding{freed}})
				time.Sleep(50 * time.Millisecond) // a note that is wrongly shown would be printed by now
				if strings.Contains(out.String(), "free again") {
					t.Errorf("the transition note hid the result:\n%s", out)
				}
			}
		})
	}
}

// A menu choice that needs a confirmation shows it at once as a note, not
// only on the next menu open.
func TestMenuConfirmationShowsAtOnce(t *testing.T) {
	c, out, _ := outcomeRig(t, func(r monitor.Request) (monitor.ActionOutcome, []diagnose.Finding) {
		return monitor.ActionOutcome{Confirm: &remedy.Confirmation{Action: r.Action, Resource: r.Resource, PID: 4242,
			Question: "End python3 (PID 4242, /usr/bin/python3)?"}}, []diagnose.Finding{held}
	}, Options{})
	act(c, diagnose.EndProcess)
	waitFor(t, "the confirmation note", func() bool {
		return strings.Contains(out.String(), "End python3 (PID 4242, /usr/bin/python3)?\n") &&
			strings.Contains(out.String(), "End it: traycheck action confirm-end-process")
	})
	if c.View().Prompts[udp1194].PID != 4242 {
		t.Error("the menu lost the question")
	}
}

// The suggestion's Copy button copies the rewritten command (or the port)
// and says so; a forged copy answer copies nothing.
func TestSuggestionCopy(t *testing.T) {
	var mu sync.Mutex
	var copied []string
	clip := func(_ context.Context, b []byte) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		copied = append(copied, string(b))
		return "xclip", nil
	}
	c, out, con := outcomeRig(t, func(monitor.Request) (monitor.ActionOutcome, []diagnose.Finding) {
		return monitor.ActionOutcome{Result: remedy.Result{Suggested: &remedy.Suggestion{Port: 1195, Command: "ssh -L 1195:db:5432 bastion"}}}, []diagnose.Finding{held}
	}, Options{Clipboard: clip})
	if err := c.Answer(notify.Response{Tag: "udp/1194", Action: compose.CopyKey, Token: "copy-forged"}); err == nil {
		t.Error("a forged copy answer was taken")
	}
	act(c, diagnose.UseOtherPort)
	waitFor(t, "the suggestion", func() bool { return strings.Contains(out.String(), "For the ssh forward: ssh -L 1195:db:5432 bastion") })
	if !con.Deliver("udp/1194", compose.CopyKey) {
		t.Fatal("the console refused Copy")
	}
	waitFor(t, "the copied note", func() bool { return strings.Contains(out.String(), "Copied ssh -L 1195:db:5432 bastion") })
	mu.Lock()
	defer mu.Unlock()
	if len(copied) != 1 || copied[0] != "ssh -L 1195:db:5432 bastion" {
		t.Errorf("copied %q", copied)
	}
}

// "Open config" that no program opens says so with the path; About shows
// version, log and config paths.
func TestOpenConfigFailureAndAbout(t *testing.T) {
	out := &testenv.SyncBuffer{}
	c := NewController(Options{Notifier: notify.NewConsole(out), Version: "1.2.3", LogPath: "/tmp/l/traycheck.log",
		ConfigPath: "/tmp/c/config.toml",
		OpenConfig: func(context.Context) error {
			return errors.New("no program opened /tmp/c/config.toml (xdg-open: exit status 3)")
		}})
	c.Do(context.Background(), Command{Kind: OpenConfig})
	c.Do(context.Background(), Command{Kind: About})
	for _, w := range []string{"Could not open the config\n", "exit status 3", "Open it by hand: /tmp/c/config.toml",
		"About traycheck 1.2.3\n", "Log: /tmp/l/traycheck.log", "Config: /tmp/c/config.toml"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("%q missing from\n%s", w, out)
		}
	}
}

func TestConnectionsNameTheVPN(t *testing.T) {
	cfg := &config.Config{VPNName: "work", Ports: []vpnport.Resource{udp1194}, SSHForwardPorts: []uint16{8080}}
	name := Connections(cfg)
	if got := name(udp1194); got != "VPN 'work'" {
		t.Errorf("vpn port: %q", got)
	}
	if got := name(vpnport.Resource{Kind: vpnport.TCP, Port: 8080}); got != "ssh forward" {
		t.Errorf("forward port: %q", got)
	}
	cfg.VPNName = "VPN"
	if got := compose.ConflictNote(held, Connections(cfg)(udp1194), "").Title; got != "The VPN is blocked: udp/1194 held by python3" {
		t.Errorf("default name: %q", got)
	}
}

func TestLongVPNNameKeepsItsQuotes(t *testing.T) {
	got := Connections(&config.Config{VPNName: strings.Repeat("w", 40), Ports: []vpnport.Resource{udp1194}})(udp1194)
	if got != "VPN '"+strings.Repeat("w", 12)+"…'" {
		t.Errorf("%q", got)
	}
}

// Critical only through the failure trigger's hook; a plain conflict is a
// normal note.
func TestCriticalOnlyWhenFailingNow(t *testing.T) {
	for _, failing := range []bool{false, true} {
		rec := &recorder{}
		c := NewController(Options{Notifier: rec, FailingNow: func(diagnose.Finding) bool { return failing }})
		ctx, cancel := context.WithCancel(context.Background())
		go c.Run(ctx)
		c.Result(monitor.Report{Trigger: monitor.Trigger{Kind: monitor.Interval}, First: true,
			Findings: []diagnose.Finding{held}, Transitions: []diagnose.Finding{held}})
		waitFor(t, "the conflict note", func() bool { return len(rec.all()) > 0 })
		cancel()
		if n := rec.all()[0]; n.Critical != failing || n.Kind != notify.KindConflict {
			t.Errorf("failing=%v: note critical=%v kind=%v", failing, n.Critical, n.Kind)
		}
	}
}

// recorder is a Notifier that keeps what it was asked to show.
type recorder struct {
	mu    sync.Mutex
	notes []notify.Note
}

func (r *recorder) Show(_ context.Context, n notify.Note) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, n)
	return nil
}
func (r *recorder) Responses() <-chan notify.Response { return nil }
func (r *recorder) Close() error                      { return nil }
func (r *recorder) all() []notify.Note {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]notify.Note(nil), r.notes...)
}
