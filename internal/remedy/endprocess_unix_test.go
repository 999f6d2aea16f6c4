//go:build !windows

package remedy

import (
	"bufio"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// helperEnv makes the test binary act as a holder process: a real process
// that the tests end, one that ignores SIGTERM when asked.
const helperEnv = "TRAYCHECK_REMEDY_HELPER"

func TestMain(m *testing.M) {
	switch mode := os.Getenv(helperEnv); mode {
	case "":
		os.Exit(m.Run())
	case "ignore-term":
		signal.Ignore(syscall.SIGTERM)
	case "daemonise", "daemonise-block", "flood":
		helperCommand(mode)
	}
	if os.Getenv(holdEnv) != "" {
		holdPort()
	}
	os.Stdout.WriteString("ready\n")
	time.Sleep(10 * time.Minute)
	os.Exit(0)
}

// holdEnv makes the helper hold a UDP port on loopback, so that end-process
// finds it holding what its finding names; SIGUSR1 makes it let go.
const holdEnv = "TRAYCHECK_REMEDY_HOLD"

func holdPort() {
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	os.Stdout.WriteString("port " + strconv.Itoa(c.LocalAddr().(*net.UDPAddr).Port) + "\n")
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	go func() {
		<-usr1
		c.Close()
		os.Stdout.WriteString("let go\n")
	}()
}

type helper struct {
	cmd    *exec.Cmd
	holder vpnport.Holder
	res    vpnport.Resource
	out    *bufio.Reader
	done   chan *os.ProcessState
}

// startHelper starts a holder process and describes it the way a probe
// would, reading its identity the same way end-process re-reads it.
func startHelper(t *testing.T, mode string) *helper {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, holdEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &helper{cmd: cmd, done: make(chan *os.ProcessState, 1)}
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-h.done
	})
	h.out = bufio.NewReader(out)
	line, err := h.out.ReadString('\n')
	port, perr := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "port ")))
	if err != nil || perr != nil {
		t.Fatalf("helper did not bind: %q %v", line, err)
	}
	h.res = vpnport.Resource{Kind: vpnport.UDP, Port: uint16(port)}
	if line, err := h.out.ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("helper did not start: %q %v", line, err)
	}
	go func() {
		cmd.Wait()
		h.done <- cmd.ProcessState
	}()
	p, err := openProcess(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Release()
	exe, started, err := p.Identity()
	if err != nil {
		t.Fatal(err)
	}
	h.holder = vpnport.Holder{PID: cmd.Process.Pid, Name: "remedy.test", Exe: exe, Started: started, User: "me"}
	return h
}

// finding is what a probe says of the helper's port.
func (h *helper) finding(hs ...vpnport.Holder) diagnose.Finding {
	if len(hs) == 0 {
		hs = []vpnport.Holder{h.holder}
	}
	f := endFinding(hs...)
	f.Resource = h.res
	return f
}

func endFinding(hs ...vpnport.Holder) diagnose.Finding {
	return diagnose.Finding{
		Resource: vpnport.Resource{Kind: vpnport.UDP, Port: 1194},
		Cause:    diagnose.OtherApp,
		Holders:  hs,
		Actions:  []diagnose.Action{diagnose.Retry, diagnose.EndProcess},
	}
}

// exitSignal waits for the helper to end and returns the signal that ended it.
func (h *helper) exitSignal(t *testing.T) syscall.Signal {
	t.Helper()
	select {
	case st := <-h.done:
		h.done <- st // for Cleanup
		ws := st.Sys().(syscall.WaitStatus)
		if !ws.Signaled() {
			t.Fatalf("helper exited without a signal: %v", st)
		}
		return ws.Signal()
	case <-time.After(time.Minute):
		t.Fatal("helper still running a minute after Do returned")
	}
	return 0
}

func (h *helper) assertAlive(t *testing.T) {
	t.Helper()
	select {
	case st := <-h.done:
		h.done <- st
		t.Fatalf("helper was ended: %v", st)
	default:
	}
	if err := h.cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("helper not alive: %v", err)
	}
}

func TestEndProcessAsksFirst(t *testing.T) {
	h := startHelper(t, "plain")
	_, err := New(Options{}).Do(context.Background(), Request{Action: diagnose.EndProcess, Finding: h.finding()})
	var ce *ConfirmationError
	if !errors.Is(err, ErrNeedsConfirmation) || !errors.As(err, &ce) {
		t.Fatalf("Do without confirmation = %v, want a ConfirmationError", err)
	}
	for _, want := range []string{"remedy.test", "PID " + strconv.Itoa(h.holder.PID), h.holder.Exe} {
		if !strings.Contains(ce.Prompt(), want) {
			t.Errorf("prompt %q does not name %q", ce.Prompt(), want)
		}
	}
	h.assertAlive(t)
}

func TestEndProcessTerminates(t *testing.T) {
	h := startHelper(t, "plain")
	res, err := New(Options{}).Do(context.Background(), Request{Action: diagnose.EndProcess, Finding: h.finding(), PID: h.holder.PID, Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if sig := h.exitSignal(t); sig != syscall.SIGTERM {
		t.Errorf("helper ended by %v, want SIGTERM", sig)
	}
	if !strings.HasPrefix(res.Message, "ended remedy.test") {
		t.Errorf("message %q", res.Message)
	}
}

func TestEndProcessKillsAfterGrace(t *testing.T) {
	h := startHelper(t, "ignore-term")
	r := New(Options{Grace: 200 * time.Millisecond})
	res, err := r.Do(context.Background(), Request{Action: diagnose.EndProcess, Finding: h.finding(), PID: h.holder.PID, Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if sig := h.exitSignal(t); sig != syscall.SIGKILL {
		t.Errorf("helper ended by %v, want SIGKILL", sig)
	}
	if !strings.HasPrefix(res.Message, "killed remedy.test") {
		t.Errorf("message %q", res.Message)
	}
}

func TestEndProcessRefusesReusedPID(t *testing.T) {
	h := startHelper(t, "plain")
	for name, mutate := range map[string]func(*vpnport.Holder){
		"other start time": func(x *vpnport.Holder) { x.Started = x.Started.Add(-time.Hour) },
		// One clock tick apart is another process: no tolerance.
		"a tick later":  func(x *vpnport.Holder) { x.Started = x.Started.Add(-10 * time.Millisecond) },
		"other exe":     func(x *vpnport.Holder) { x.Exe = "/usr/bin/openvpn" },
		"no start time": func(x *vpnport.Holder) { x.Started = time.Time{} },
	} {
		t.Run(name, func(t *testing.T) {
			old := h.holder
			mutate(&old)
			_, err := New(Options{}).Do(context.Background(), Request{Action: diagnose.EndProcess, Finding: h.finding(old), PID: old.PID, Confirmed: true})
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("Do = %v, want ErrRefused", err)
			}
			h.assertAlive(t)
		})
	}
}

// TestEndProcessNeverTouches checks the holders that are refused before a
// process is even opened, confirmed or not.
func TestEndProcessNeverTouches(t *testing.T) {
	now := time.Now()
	self := vpnport.Holder{PID: os.Getpid(), Name: "traycheck", Started: now}
	cases := map[string]Request{
		"init":          {Finding: endFinding(vpnport.Holder{PID: 1, Name: "systemd", Started: now})},
		"self":          {Finding: endFinding(self)},
		"hidden":        {Finding: endFinding(vpnport.Holder{Hidden: true, User: "bob"}), PID: 0},
		"hidden by pid": {Finding: endFinding(vpnport.Holder{PID: 77, Hidden: true, User: "bob"}), PID: 77},
		"kernel":        {Finding: endFinding(vpnport.Holder{PID: 4, Kernel: true}), PID: 4},
		"not a holder":  {Finding: endFinding(vpnport.Holder{PID: 999, Name: "x", Started: now}), PID: 1000},
		"several":       {Finding: endFinding(vpnport.Holder{PID: 998, Started: now}, vpnport.Holder{PID: 999, Started: now})},
		"not offered": {Finding: diagnose.Finding{Cause: diagnose.TimeWait, Actions: []diagnose.Action{diagnose.Wait},
			Holders: []vpnport.Holder{{PID: 999, Started: now}}}},
	}
	for name, req := range cases {
		t.Run(name, func(t *testing.T) {
			r := New(Options{OpenProcess: func(pid int) (Process, error) {
				t.Fatalf("process %d opened", pid)
				return nil, nil
			}})
			req.Action, req.Confirmed = diagnose.EndProcess, true
			if _, err := r.Do(context.Background(), req); !errors.Is(err, ErrRefused) {
				t.Fatalf("Do = %v, want ErrRefused", err)
			}
		})
	}
}

// TestEndProcessRefusesAHolderThatLetGo: the process is the one the user was
// shown, but it no longer holds the port: verified at the moment of acting,
// it is not ended.
func TestEndProcessRefusesAHolderThatLetGo(t *testing.T) {
	h := startHelper(t, "plain")
	f := h.finding()
	h.cmd.Process.Signal(syscall.SIGUSR1)
	if line, err := h.out.ReadString('\n'); err != nil || line != "let go\n" {
		t.Fatalf("helper did not let go: %q %v", line, err)
	}
	_, err := New(Options{}).Do(context.Background(), Request{Action: diagnose.EndProcess, Finding: f, PID: h.holder.PID, Confirmed: true})
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "no longer holds") {
		t.Fatalf("Do = %v, want a refusal: it no longer holds the port", err)
	}
	h.assertAlive(t)
}

// A confirmation names one PID; a yes without it is refused, so it can never
// end whoever holds the port by then.
func TestConfirmedEndProcessNeedsItsPID(t *testing.T) {
	h := startHelper(t, "plain")
	_, err := New(Options{}).Do(context.Background(), Request{Action: diagnose.EndProcess, Finding: h.finding(), Confirmed: true})
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("Do = %v, want ErrRefused", err)
	}
	h.assertAlive(t)
}
