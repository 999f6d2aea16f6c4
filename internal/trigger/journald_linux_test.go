package trigger_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/trigger"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// privateJournal starts the real systemd-journald in a private mount
// namespace (tmpfs over /run/systemd and the journal directories, as the
// fleet tests do) and returns its PID: `nsenter -t PID -m` reaches it.
func privateJournal(t *testing.T) int {
	t.Helper()
	testenv.Root(t)
	jd := "/lib/systemd/systemd-journald"
	if _, err := os.Stat(jd); err != nil {
		testenv.Missing(t, "systemd-journald (package systemd): %v", err)
	}
	testenv.LookPath(t, "journalctl")
	testenv.LookPath(t, "nsenter")
	unshare := testenv.LookPath(t, "unshare")
	script := `set -e
for d in /run/systemd /var/log/journal /run/log; do mkdir -p "$d"; mount -t tmpfs tmpfs "$d"; done
mkdir -p /run/systemd/journal
exec ` + jd
	p := testenv.Start(t, exec.Command(unshare, "-m", "--propagation", "private", "/bin/sh", "-c", script))
	pid := p.Cmd.Process.Pid
	sock := "/proc/" + strconv.Itoa(pid) + "/root/run/systemd/journal/stdout"
	testenv.WaitFor(t, 10*time.Second, "journald's stdout socket", func() bool {
		if done, err := p.Exited(); done {
			t.Fatalf("journald exited: %v\n%s", err, p.Log.String())
		}
		_, err := os.Stat(sock)
		return err == nil
	})
	return pid
}

// freeUDPPort is a port nothing holds right now.
func freeUDPPort(t *testing.T) uint16 {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return uint16(c.LocalAddr().(*net.UDPAddr).Port)
}

// A real openvpn, run as a unit's output is (its stdout streamed into the
// real journald), fails to bind the port socat holds: the journald source
// emits the event with openvpn's own line, and the watch loop's check of
// the port the line names finds socat.
func TestJournaldOpenVPNBindFailureNamesTheHolder(t *testing.T) {
	pid := privateJournal(t)
	ovpn := testenv.LookPath(t, "openvpn")
	socat := testenv.LookPath(t, "socat")
	testenv.LookPath(t, "systemd-cat")
	port := freeUDPPort(t)
	ps := strconv.Itoa(int(port))
	holder := testenv.Start(t, exec.Command(socat, "-u", "UDP4-RECV:"+ps+",bind=0.0.0.0", "/dev/null"))
	res := vpnport.Resource{Kind: vpnport.UDP, Port: port}
	testenv.WaitFor(t, 5*time.Second, "socat holding "+res.String(), func() bool {
		c, err := net.ListenPacket("udp4", ":"+ps)
		if err == nil {
			c.Close()
		}
		return err != nil
	})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &trigger.Journald{Command: []string{"nsenter", "-t", strconv.Itoa(pid), "-m", "journalctl"}}
	events, st := trigger.Run(ctx, nil, src)
	if len(st) != 1 || !st[0].Active {
		t.Fatalf("status %+v", st)
	}
	cfg := &config.Config{Clients: []string{"openvpn"}, Interval: time.Hour}
	reports := make(chan monitor.Report, 16)
	m, err := monitor.New(monitor.Options{Config: cfg, Prober: vpnport.New(), Sinks: []monitor.Sink{reportSink(reports)}})
	if err != nil {
		t.Fatal(err)
	}
	go m.Run(ctx)
	<-reports // the first check
	// journalctl needs a moment to start following: write openvpn's "up"
	// line until the source reports it, then it is reading.
	nsenter := []string{"nsenter", "-t", strconv.Itoa(pid), "-m"}
	say := func(line string) {
		c := exec.Command(nsenter[0], append(nsenter[1:], "systemd-cat", "-t", "openvpn", "echo", line)...)
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("systemd-cat: %v\n%s", err, out)
		}
	}
	ready := false
	for i := 0; i < 50 && !ready; i++ {
		say("Initialization Sequence Completed")
		select {
		case ev := <-events:
			ready = ev.Kind == trigger.Connected
		case <-time.After(200 * time.Millisecond):
		}
	}
	if !ready {
		t.Fatal("the journald source never reported openvpn's connected line")
	}
	go m.Feed(ctx, events)

	run := exec.Command("nsenter", "-t", strconv.Itoa(pid), "-m", "systemd-cat", "-t", "openvpn",
		ovpn, "--dev", "null", "--proto", "udp", "--lport", ps, "--verb", "3")
	if out, err := run.CombinedOutput(); err == nil {
		t.Fatalf("openvpn did not fail on a held port:\n%s", out)
	}
	deadline := time.After(15 * time.Second)
	for {
		select {
		case r := <-reports:
			if len(r.Failures) == 0 || r.Failures[0].Event.Kind != trigger.Failed {
				continue // the readiness lines' connected events
			}
			fo := r.Failures[0]
			ev := fo.Event
			if ev.Program != "openvpn" || ev.Code != "EADDRINUSE" || !strings.Contains(ev.Line, ":"+ps+": Address already in use") {
				t.Fatalf("event %+v", ev)
			}
			held := fo.Held()
			if len(held) == 0 || held[0].Resource != res || held[0].Holders[0].PID != holder.Cmd.Process.Pid ||
				held[0].Cause != diagnose.OtherApp {
				t.Fatalf("findings %+v, want %s held by socat (PID %d)", fo.Findings, res, holder.Cmd.Process.Pid)
			}
			t.Logf("%s", monitor.Title(ev, held[0]))
			return
		case <-deadline:
			t.Fatal("no failure report within 15s of openvpn's bind failure")
		}
	}
}

// A journalctl that dies is restarted.
func TestJournaldRestartsItsFollower(t *testing.T) {
	dir := t.TempDir()
	count := dir + "/count"
	fake := dir + "/journalctl"
	// Stands in only for the process dying: each run prints one entry and exits.
	script := "#!/bin/sh\necho x >> " + count + "\n" +
		`echo '{"_COMM":"openvpn","MESSAGE":"TCP/UDP: Socket bind failed on local address [AF_INET][undef]:1194: Address already in use (errno=98)"}'` + "\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &trigger.Journald{Command: []string{fake}, MinBackoff: 10 * time.Millisecond, MaxBackoff: 40 * time.Millisecond,
		SystemReadable: func() bool { return true }}
	ch, err := src.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		select {
		case ev := <-ch:
			if ev.Kind != trigger.Failed || ev.Resources[0].Port != 1194 {
				t.Fatalf("event %+v", ev)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("run %d: no event; the follower was not restarted", i)
		}
	}
}

type reportSink chan monitor.Report

func (s reportSink) Checking(monitor.Trigger) {}
func (s reportSink) Result(r monitor.Report) {
	select {
	case s <- r:
	default:
	}
}
