package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/instance"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/offer"
	"github.com/traycheck/traycheck/internal/remedy"
	"github.com/traycheck/traycheck/internal/session"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// freeUDPPort returns a UDP port nobody holds right now.
func freeUDPPort(t *testing.T) uint16 {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return uint16(c.LocalAddr().(*net.UDPAddr).Port)
}

func testEnv() (*env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}, &out, &errb
}

// TestForwardedRequests runs a real instance in this process (the lock, the
// socket, the watch loop with the real prober and remedy runner) and drives
// it the way a second launch does: check-now, action with a live, a replayed
// and a forged token, and a second start that hands over.
func TestForwardedRequests(t *testing.T) {
	dir := t.TempDir()
	os.Chmod(dir, 0o700)
	t.Setenv("XDG_RUNTIME_DIR", dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	port := freeUDPPort(t)
	res := vpnport.Resource{Kind: vpnport.UDP, Port: port}

	lock, err := instance.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	e, _, _ := testEnv()
	cfg := &config.Config{Source: "test", Ports: []vpnport.Resource{res}, Interval: time.Hour}
	prober := vpnport.New()
	defer prober.Close()
	m, err := monitor.New(monitor.Options{Config: cfg, Prober: prober,
		Remedy: remedy.New(remedy.Options{Log: e.log}), Log: e.log})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() { cancel(); <-done }()
	offers := offer.New(0)
	defer listen(e, lock, &session.Server{Loop: m, Offers: offers})()

	e, out, errb := testEnv()
	if code := printError(e, "check-now", runCheckNow(ctx, e, nil)); code != exitOK {
		t.Fatalf("check-now exit %d: %s", code, errb)
	}
	if want := "udp/" + strconv.Itoa(int(port)) + " is free."; !strings.Contains(out.String(), want) {
		t.Errorf("check-now printed %q, want the check result %q", out, want)
	}

	// check-now --json prints the running instance's check as the document
	// `traycheck check --json` prints.
	e, out, errb = testEnv()
	if code := printError(e, "check-now", runCheckNow(ctx, e, []string{"--json"})); code != exitOK {
		t.Fatalf("check-now --json exit %d: %s", code, errb)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || doc["checked_at"] == nil || !strings.Contains(string(doc["findings"]), `"cause": "free"`) {
		t.Errorf("check-now --json printed %q (%v), want a check document", out, err)
	}
	// Targets and --config cannot reach the running instance: a usage
	// error that names the command that does take them, and no check.
	for _, args := range [][]string{{"udp/1"}, {"--config", "other.toml"}, {"--json", "tcp/22"}} {
		e, out, errb = testEnv()
		if code := printError(e, "check-now", runCheckNow(ctx, e, args)); code != exitUsage || out.Len() != 0 || !strings.Contains(errb.String(), "traycheck check [--config FILE] [TARGET...]") {
			t.Errorf("check-now %q with an instance running: exit %d, stdout %q, stderr %q; want a usage error", args, code, out, errb)
		}
	}
	for _, args := range [][]string{{"--bogus"}, {"tcp/99999"}} {
		e, _, errb = testEnv()
		if code := printError(e, "check-now", runCheckNow(ctx, e, args)); code != exitUsage {
			t.Errorf("check-now %q: exit %d (%s), want %d", args, code, errb, exitUsage)
		}
	}

	tok := offers.Issue(offer.Offer{Resource: res})
	args := []string{"retry", "--resource", res.String(), "--token", tok}
	e, out, errb = testEnv()
	if code := printError(e, "action", runAction(ctx, e, args)); code != exitOK {
		t.Fatalf("action with a live token: exit %d: %s", code, errb)
	}
	if !strings.Contains(out.String(), "checking again") || !strings.Contains(out.String(), "all clear") {
		t.Errorf("action printed %q, want the remedy's message and the check", out)
	}
	for name, args := range map[string][]string{
		"replayed": args,
		"forged":   {"retry", "--resource", res.String(), "--token", "AAAAAAAAAAAAAAAAAAAAAA"},
	} {
		e, out, errb = testEnv()
		if code := printError(e, "action", runAction(ctx, e, args)); code != exitUsage || !strings.Contains(errb.String(), "rejected") || out.Len() != 0 {
			t.Errorf("%s token: exit %d, stdout %q, stderr %q; want a rejection", name, code, out, errb)
		}
	}

	// A second start of the tray or watch mode hands over and exits 0.
	e, out, errb = testEnv()
	l2, err := claimInstance(ctx, e)
	if l2 != nil || err != errHandedOver {
		t.Fatalf("second claim: %v, %v: %s", l2, err, errb)
	}
	if !strings.Contains(errb.String(), "already running") || !strings.Contains(out.String(), "free") {
		t.Errorf("second claim printed %q / %q", out, errb)
	}
}

// listen serves s on lock's endpoint, as runLoop does, until the returned
// func closes it.
func listen(e *env, lock *instance.Lock, s *session.Server) func() {
	srv, err := lock.Listen(s.Handle, e.log)
	if err != nil {
		panic(err)
	}
	return func() { srv.Close() }
}
