package remedy

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// pidnsEnv marks the run of this test inside its private PID namespace.
const pidnsEnv = "TRAYCHECK_REMEDY_IN_PIDNS"

// TestEndProcessPIDReuseInNamespace stages the PID reuse race for real: in a
// fresh PID namespace a probe names the holder of a port, the holder dies,
// and another process of the same program is made to get its PID
// (ns_last_pid). The confirmation the user gave for the dead holder must not
// end it, whether it started a clock tick later or within the same tick.
func TestEndProcessPIDReuseInNamespace(t *testing.T) {
	if os.Getenv(pidnsEnv) == "" {
		testenv.Root(t)
		unshare := testenv.LookPath(t, "unshare")
		cmd := exec.Command(unshare, "--pid", "--fork", "--mount-proc", os.Args[0],
			"-test.run=^TestEndProcessPIDReuseInNamespace$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), pidnsEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestEndProcessPIDReuseInNamespace") {
			t.Fatalf("in a PID namespace: %v\n%s", err, out)
		}
		for _, l := range strings.Split(string(out), "\n") {
			if strings.Contains(l, "refused:") {
				t.Log(strings.TrimSpace(l))
			}
		}
		return
	}
	h := startHelper(t, "plain")
	ctx := context.Background()
	p := vpnport.New()
	defer p.Close()
	obs, err := p.Probe(ctx, []vpnport.Resource{h.res}, vpnport.ProbeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := diagnose.Diagnose(obs[0], diagnose.Context{Now: time.Now()})
	held, ok := f.ActHolder()
	if !ok || held.PID != h.holder.PID || !f.Has(diagnose.EndProcess) {
		t.Fatalf("the probe does not name the helper (PID %d): %+v", h.holder.PID, f)
	}
	h.cmd.Process.Kill()
	st := <-h.done
	h.done <- st

	// The next PID the kernel hands out in this namespace is held's.
	var reuse *exec.Cmd
	for range 20 {
		if err := os.WriteFile("/proc/sys/kernel/ns_last_pid", []byte(strconv.Itoa(held.PID-1)), 0); err != nil {
			t.Fatalf("setting ns_last_pid: %v", err)
		}
		// The same program as the holder, so the exe matches; started in
		// the same clock tick it would match the start time too, and only
		// the check that it holds the port stands between it and SIGTERM.
		c := exec.Command(os.Args[0], "-test.run=^$")
		c.Env = append(os.Environ(), helperEnv+"=plain")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		if c.Process.Pid == held.PID {
			reuse = c
			break
		}
		c.Process.Kill()
		c.Wait()
	}
	if reuse == nil {
		t.Fatalf("could not make a process take PID %d", held.PID)
	}
	exited := make(chan error, 1)
	go func() { exited <- reuse.Wait() }()
	defer func() { reuse.Process.Kill(); <-exited }()

	_, err = New(Options{}).Do(ctx, Request{Action: diagnose.EndProcess, Finding: f, PID: held.PID, Confirmed: true})
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("Do for the dead holder = %v, want ErrRefused", err)
	}
	t.Logf("refused: %v", err) // reused (a later start) or no longer holds (the same tick)
	select {
	case err := <-exited:
		exited <- err
		t.Fatalf("the process that reused PID %d was ended: %v", held.PID, err)
	default:
	}
	if err := reuse.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("the process that reused PID %d is gone: %v", held.PID, err)
	}
}
