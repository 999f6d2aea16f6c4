package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/console"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/instance"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/offer"
	"github.com/traycheck/traycheck/internal/remedy"
	"github.com/traycheck/traycheck/internal/session"
	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/tray"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// world is one running traycheck in this process, wired as main wires it:
// the real loop, prober and remedy runner, the tray controller (its notes
// on a console notifier), the console's actor and the instance endpoint.
// Only the commands that would reset this machine's adapter or reboot it
// are recorded instead of run; ending a process and removing a lock file
// are real.
type world struct {
	res     vpnport.Resource
	holder  *exec.Cmd
	exited  chan struct{}
	lock    string
	ctrl    *tray.Controller
	notes   *noteRecorder
	console *testenv.SyncBuffer

	mu  sync.Mutex
	ran [][]string
}

// noteRecorder is the console notifier, keeping the notes it showed so the
// test can answer them the way a Windows toast's URI does.
type noteRecorder struct {
	*notify.Console
	mu    sync.Mutex
	shown []notify.Note
}

func (n *noteRecorder) Show(ctx context.Context, note notify.Note) error {
	n.mu.Lock()
	n.shown = append(n.shown, note)
	n.mu.Unlock()
	return n.Console.Show(ctx, note)
}

// last returns the newest note whose button keys include key.
func (n *noteRecorder) last(key string) (notify.Note, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for i := len(n.shown) - 1; i >= 0; i-- {
		for _, b := range n.shown[i].Buttons {
			if b.Key == key {
				return n.shown[i], true
			}
		}
	}
	return notify.Note{}, false
}

// every is the finding's real diagnosis with every action that needs a
// confirmation offered too, and a stale lock file behind it.
func (w *world) diagnose(o vpnport.Observation, c diagnose.Context) diagnose.Finding {
	f := diagnose.Diagnose(o, c)
	for _, a := range []diagnose.Action{diagnose.ResetAdapter, diagnose.RebootSuggested, diagnose.RemoveLock} {
		if !f.Has(a) {
			f.Actions = append(f.Actions, a)
		}
	}
	f.Lock = &vpnport.LockFile{Path: w.lock, PID: deadPID}
	return f
}

// deadPID is a PID no process has: above the kernel's pid_max limit.
const deadPID = 1 << 23

func (w *world) record(_ context.Context, argv []string) ([]byte, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ran = append(w.ran, argv)
	return nil, nil
}

func (w *world) commands() [][]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.ran)
}

// newWorld starts socat holding a free port and a traycheck watching it;
// trayMode routes forwarded actions to the tray's notes, as on a desktop.
func newWorld(t *testing.T, trayMode bool) *world {
	socat := testenv.LookPath(t, "socat")
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	os.Mkdir(run, 0o700)
	t.Setenv("XDG_RUNTIME_DIR", run)
	w := &world{exited: make(chan struct{}), lock: filepath.Join(dir, "LCK..ttyTEST"), console: &testenv.SyncBuffer{}}
	if err := os.WriteFile(w.lock, []byte(fmt.Sprintf("%10d\n", deadPID)), 0o644); err != nil {
		t.Fatal(err)
	}
	var port uint16
	w.holder, w.exited, port = startSocat(t, socat)
	w.res = vpnport.Resource{Kind: vpnport.UDP, Port: port}
	t.Cleanup(func() { w.holder.Process.Kill(); <-w.exited })

	e, _, _ := testEnv()
	ctx, cancel := context.WithCancel(context.Background())
	lk, err := instance.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{Source: "test", Ports: []vpnport.Resource{w.res}, Interval: time.Hour, Adapter: "vxtest0"}
	runner := remedy.New(remedy.Options{Adapter: cfg.Adapter, Log: e.log, GOOS: "linux", Run: w.record, Elevated: w.record,
		NetworkManager: func(context.Context) bool { return false }})
	offers := offer.New(0)
	w.notes = &noteRecorder{Console: notify.NewConsole(w.console)}
	w.ctrl = tray.NewController(tray.Options{Notifier: w.notes, Offers: offers, Log: e.log})
	actor := &console.Actor{W: w.console, Offers: offers}
	prober := vpnport.New()
	m, err := monitor.New(monitor.Options{Config: cfg, Prober: prober, Sinks: []monitor.Sink{w.ctrl, actor},
		Remedy: runner, Diagnose: w.diagnose, Log: e.log})
	if err != nil {
		t.Fatal(err)
	}
	w.ctrl.Attach(m)
	s := &session.Server{Loop: m, Offers: offers}
	if trayMode {
		s.Notes = w.ctrl.Answer
	}
	closeSrv := listen(e, lk, s)
	done := make(chan error, 2)
	go func() { done <- m.Run(ctx) }()
	go func() { w.ctrl.Run(ctx); done <- nil }()
	t.Cleanup(func() {
		closeSrv()
		cancel()
		<-done
		<-done
		prober.Close()
		lk.Release()
	})
	return w
}

// acted says whether the remedy did a's deed.
func (w *world) acted(a diagnose.Action) bool {
	switch a {
	case diagnose.EndProcess:
		select {
		case <-w.exited:
			return true
		default:
			return false
		}
	case diagnose.RemoveLock:
		_, err := os.Stat(w.lock)
		return os.IsNotExist(err)
	case diagnose.ResetAdapter:
		return slices.ContainsFunc(w.commands(), func(c []string) bool { return slices.Equal(c, []string{"ip", "link", "set", "dev", "vxtest0", "up"}) })
	case diagnose.RebootSuggested:
		return slices.ContainsFunc(w.commands(), func(c []string) bool { return len(c) > 1 && c[0] == "shutdown" && c[1] == "-r" })
	}
	return false
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestEveryConfirmationFromEveryEntryPoint drives each action that needs a
// confirmation (by the action table) from each way back into the loop: the
// tray menu, a notification button, the console's printed command and a
// forwarded IPC answer (a Windows toast's URI). Each first click only asks;
// the confirmation reaches the remedy, which acts.
func TestEveryConfirmationFromEveryEntryPoint(t *testing.T) {
	var confirmable []diagnose.Action
	for _, a := range diagnose.Actions {
		if s, _ := a.Spec(); s.Confirm {
			confirmable = append(confirmable, a)
		}
	}
	if len(confirmable) != 4 {
		t.Fatalf("the action table asks to confirm %v; this test covers four", confirmable)
	}
	ctx := context.Background()
	entries := map[string]struct {
		tray bool
		ask  func(t *testing.T, w *world, a diagnose.Action)
	}{
		"menu": {false, func(t *testing.T, w *world, a diagnose.Action) {
			pid := tray.ActPID(w.finding(t), a)
			w.ctrl.Do(ctx, tray.Command{Kind: tray.Act, Action: a, Resource: w.res, PID: pid})
			var p tray.Prompt
			waitUntil(t, "the menu's prompt", func() bool { p = w.ctrl.View().Prompts[w.res]; return p.Action == a })
			w.notActed(t, a)
			w.ctrl.Do(ctx, tray.Command{Kind: tray.Act, Action: a, Resource: w.res, PID: p.PID, Confirmed: true, Token: p.Token})
		}},
		"notification": {true, func(t *testing.T, w *world, a diagnose.Action) {
			if !w.notes.Deliver(w.res.String(), string(a)) {
				t.Fatalf("the conflict note does not offer %s", a)
			}
			waitUntil(t, "the confirmation note", func() bool { _, ok := w.notes.last(a.ConfirmKey()); return ok })
			w.notActed(t, a)
			if !w.notes.Deliver(w.res.String(), a.ConfirmKey()) {
				t.Fatal("the confirmation note refused its own key")
			}
		}},
		"console": {false, func(t *testing.T, w *world, a diagnose.Action) {
			var m []string
			waitUntil(t, "the console's command", func() bool {
				m = regexp.MustCompile(`traycheck action ACTION --resource \S+ (?:--pid (\d+) )?--token (\S+)`).FindStringSubmatch(w.console.String())
				return m != nil
			})
			args := []string{string(a), "--resource", w.res.String(), "--token", m[2]}
			if m[1] != "" {
				args = append(args, "--pid", m[1])
			}
			e, out, errb := testEnv()
			if err := runAction(ctx, e, args); err != nil {
				t.Fatalf("traycheck action %s: %v\n%s", a, err, errb)
			}
			cm := regexp.MustCompile(`to confirm, run: traycheck action (.*)`).FindStringSubmatch(out.String())
			if cm == nil {
				t.Fatalf("no confirming command:\n%s", out)
			}
			w.notActed(t, a)
			e, _, errb = testEnv()
			if err := printError(e, "action", runAction(ctx, e, strings.Fields(cm[1]))); err > exitAttention {
				t.Fatalf("confirming: exit %d\n%s", err, errb)
			}
		}},
		"ipc": {true, func(t *testing.T, w *world, a diagnose.Action) {
			uri := func(key string) string {
				n, ok := w.notes.last(key)
				if !ok {
					t.Fatalf("no note offers %s", key)
				}
				u, err := notify.BuildActionURI(notify.ActionURI{Action: key, Tag: n.Tag, Token: n.Token})
				if err != nil {
					t.Fatal(err)
				}
				return u
			}
			e, _, errb := testEnv()
			if err := forwardActionURI(ctx, e, uri(string(a))); err != nil {
				t.Fatalf("forwarding %s: %v\n%s", a, err, errb)
			}
			waitUntil(t, "the confirmation note", func() bool { _, ok := w.notes.last(a.ConfirmKey()); return ok })
			w.notActed(t, a)
			if err := forwardActionURI(ctx, e, uri(a.ConfirmKey())); err != nil {
				t.Fatalf("forwarding the confirmation: %v\n%s", err, errb)
			}
		}},
	}
	for name, entry := range entries {
		for _, a := range confirmable {
			t.Run(name+"/"+string(a), func(t *testing.T) {
				w := newWorld(t, entry.tray)
				waitUntil(t, "the first check", func() bool { return len(w.ctrl.View().Findings) == 1 })
				if name == "notification" || name == "ipc" {
					waitUntil(t, "the conflict note", func() bool { _, ok := w.notes.last(string(a)); return ok })
				}
				entry.ask(t, w, a)
				waitUntil(t, "the remedy to "+string(a), func() bool { return w.acted(a) })
			})
		}
	}
}

func (w *world) finding(t *testing.T) diagnose.Finding {
	t.Helper()
	fs := w.ctrl.View().Findings
	if len(fs) != 1 {
		t.Fatalf("findings %+v", fs)
	}
	return fs[0]
}

// notActed checks that the first answer only asked: nothing happened yet.
func (w *world) notActed(t *testing.T, a diagnose.Action) {
	t.Helper()
	time.Sleep(50 * time.Millisecond) // room for a wrongly started remedy to show
	if w.acted(a) {
		t.Fatalf("%s acted before its confirmation", a)
	}
	if cmds := w.commands(); len(cmds) != 0 {
		t.Fatalf("commands ran before the confirmation: %q", cmds)
	}
}

// startSocat starts socat holding a free UDP port on loopback and waits
// until it does. A port found free may be taken before socat binds it (other
// tests share the machine): then socat exits, and another port is tried.
func startSocat(t *testing.T, socat string) (*exec.Cmd, chan struct{}, uint16) {
	t.Helper()
	for range 5 {
		port := freeUDPPort(t)
		cmd := exec.Command(socat, "-u", fmt.Sprintf("UDP4-RECV:%d", port), "/dev/null")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			select {
			case <-exited:
				deadline = time.Time{}
				continue
			default:
			}
			c, err := net.ListenPacket("udp4", fmt.Sprintf("127.0.0.1:%d", port))
			if err != nil {
				return cmd, exited, port
			}
			c.Close()
		}
		cmd.Process.Kill()
		<-exited
	}
	t.Fatal("socat could not hold a free port in 5 attempts")
	return nil, nil, 0
}
