package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/freeport"
	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// explainHold starts socat listening on a free local TCP port and returns
// the port and the child's PID once the port is bound. socat is the helper
// because it is a separate real program with its own name, as a leftover
// forward would be.
func explainHold(t *testing.T) (uint16, int) {
	t.Helper()
	socat := testenv.LookPath(t, "socat")
	for attempt := 0; attempt < 5; attempt++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := uint16(l.Addr().(*net.TCPAddr).Port)
		l.Close()
		cmd := exec.Command(socat, fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1", port), "STDOUT")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		t.Cleanup(func() { cmd.Process.Kill(); <-exited })
		// Bound means a probe bind fails; socat exiting means another
		// process took the port between Close and socat's bind: try again.
		for {
			if freeport.Probe(context.Background(), vpnport.TCP, "127.0.0.1", port) != nil {
				return port, cmd.Process.Pid
			}
			select {
			case <-exited:
			case <-time.After(10 * time.Millisecond):
				continue
			}
			break
		}
	}
	t.Fatal("socat never held a port")
	return 0, 0
}

func explainRun(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	code := dispatch(context.Background(), e, args)
	return code, out.String(), errb.String()
}

// The end-to-end promise of issue 6: paste ssh's error, learn who holds the
// port, get a free port and the rewritten command.
func TestExplainNamesTheRealHolder(t *testing.T) {
	port, pid := explainHold(t)
	p := strconv.Itoa(int(port))
	text := "$ ssh -N -L " + p + ":db.internal:5432 bastion\nbind [127.0.0.1]:" + p + ": Address already in use\n" +
		"channel_setup_fwd_listener_tcpip: cannot listen to port: " + p + "\nCould not request local forwarding.\n"
	code, out, errs := explainRun(t, text, "explain")
	if code != exitAttention {
		t.Fatalf("exit %d, want %d; stderr: %s", code, exitAttention, errs)
	}
	for _, want := range []string{
		"address-in-use (EADDRINUSE): tcp/" + p + " on 127.0.0.1",
		"socat (PID " + strconv.Itoa(pid),
		"use-other-port",
		"Free port nearby: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The suggested port is really free and the command uses it.
	var sug int
	for _, line := range strings.Split(out, "\n") {
		if s, ok := strings.CutPrefix(line, "Free port nearby: "); ok {
			sug, _ = strconv.Atoi(s)
		}
	}
	if sug == 0 || sug == int(port) {
		t.Fatalf("suggestion %d", sug)
	}
	if !strings.Contains(out, "ssh -N -L "+strconv.Itoa(sug)+":db.internal:5432 bastion") {
		t.Errorf("no rewritten ssh command for %d:\n%s", sug, out)
	}
	if err := freeport.Probe(context.Background(), vpnport.TCP, "127.0.0.1", uint16(sug)); err != nil {
		t.Errorf("suggested port %d does not bind: %v", sug, err)
	}

	// The same as an argument, in JSON.
	code, out, _ = explainRun(t, "", "explain", "--json", "bind [127.0.0.1]:"+p+": Address already in use")
	var got struct {
		Matched  bool   `json:"matched"`
		Family   string `json:"family"`
		Code     string `json:"code"`
		Resource struct {
			Kind    string `json:"kind"`
			Port    int    `json:"port"`
			Address string `json:"address"`
		} `json:"resource"`
		Findings []struct {
			Cause   string `json:"cause"`
			Holders []struct {
				PID  int    `json:"pid"`
				Name string `json:"name"`
			} `json:"holders"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out)
	}
	if code != exitAttention || !got.Matched || got.Family != "address-in-use" || got.Code != "EADDRINUSE" ||
		got.Resource.Kind != "tcp" || got.Resource.Port != int(port) || got.Resource.Address != "127.0.0.1" ||
		len(got.Findings) != 1 || got.Findings[0].Cause != "other-app" || len(got.Findings[0].Holders) != 1 ||
		got.Findings[0].Holders[0].PID != pid || got.Findings[0].Holders[0].Name != "socat" {
		t.Fatalf("exit %d, JSON %+v", code, got)
	}
}
