package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/testenv"
)

// ptyPair opens a real pseudo-terminal of cols columns: tty is what a
// program's stdout is in a terminal emulator, master what the emulator
// reads.
func ptyPair(t *testing.T, cols uint16) (master, tty *os.File) {
	t.Helper()
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("pseudo-terminals: %v", err)
	}
	master = os.NewFile(uintptr(fd), "ptmx")
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: cols}); err != nil {
		t.Fatal(err)
	}
	return master, tty
}

// checkOn runs the real binary's `traycheck check args...` with env added
// to a clean environment, its stdout a terminal of 70 columns (tty) or a
// pipe, and returns what it printed (a terminal's CRLF as LF).
func checkOn(t *testing.T, tty bool, env []string, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("traycheck")
	if err != nil {
		t.Fatalf("testscript should have put traycheck on PATH: %v", err)
	}
	dir := t.TempDir()
	cmd := exec.Command(bin, append([]string{"check"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "XDG_CONFIG_HOME=" + dir, "XDG_CACHE_HOME=" + dir, "TERM=xterm"}
	cmd.Env = append(cmd.Env, env...)
	var stderr, piped bytes.Buffer
	cmd.Stderr = &stderr
	if !tty {
		cmd.Stdout = &piped
		if err := cmd.Run(); cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != exitAttention {
			t.Fatalf("check %v: %v, want exit 1\n%s", args, err, stderr.String())
		}
		return piped.String()
	}
	master, term := ptyPair(t, 70)
	cmd.Stdout = term
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	term.Close() // the child has its own; the master reads EIO once it exits
	read := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(master) // ends with EIO when the last terminal side closes
		read <- b
	}()
	err = cmd.Wait()
	if cmd.ProcessState.ExitCode() != exitAttention {
		t.Fatalf("check %v on a terminal: %v, want exit 1\n%s", args, err, stderr.String())
	}
	return strings.ReplaceAll(string(<-read), "\r\n", "\n")
}

// TestColourOnlyOnATerminal runs `traycheck check` on a real pty and on a
// pipe against a port this test holds: PROBLEM is red on the terminal, and
// NO_COLOR=1, TERM=dumb, --color=never or a pipe print no escape at all;
// --color=always colours a pipe too. The terminal's 70 columns wrap the
// message under its column; the pipe gets it on one line.
func TestColourOnlyOnATerminal(t *testing.T) {
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	target := "udp/" + strconv.Itoa(c.LocalAddr().(*net.UDPAddr).Port)
	const red = "\x1b[31mPROBLEM  other-app\x1b[0m"

	out := checkOn(t, true, nil, target)
	if !strings.Contains(out, red) {
		t.Errorf("no red PROBLEM on a terminal:\n%q", out)
	}
	for i, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		plain := strings.NewReplacer("\x1b[31m", "", "\x1b[0m", "").Replace(l)
		if len(plain) > 70 && len(strings.Fields(plain)) > 1 { // one word wider than the column stays whole
			t.Errorf("line %d runs past the terminal's 70 columns: %q", i, plain)
		}
	}
	if strings.Count(out, "\n") < 4 {
		t.Errorf("the message was not wrapped on 70 columns:\n%s", out)
	}

	for _, tc := range []struct {
		name string
		env  []string
		args []string
	}{
		{"NO_COLOR=1", []string{"NO_COLOR=1"}, nil},
		{"TERM=dumb", []string{"TERM=dumb"}, nil},
		{"--color=never", nil, []string{"--color=never"}},
	} {
		if out := checkOn(t, true, tc.env, append(tc.args, target)...); strings.Contains(out, "\x1b[") || !strings.Contains(out, "PROBLEM  other-app") {
			t.Errorf("%s on a terminal: %q, want PROBLEM without escapes", tc.name, out)
		}
	}

	piped := checkOn(t, false, nil, target)
	if strings.Contains(piped, "\x1b[") || !strings.Contains(piped, "PROBLEM  other-app") {
		t.Errorf("piped: %q, want PROBLEM without escapes", piped)
	}
	if n := strings.Count(piped, "\n"); n != 3 {
		t.Errorf("piped output has %d lines, want 3 (finding, next, summary; no wrapping):\n%s", n, piped)
	}
	if out := checkOn(t, false, []string{"COLUMNS=40"}, target); strings.Count(out, "\n") != 3 {
		t.Errorf("COLUMNS wrapped a pipe:\n%s", out)
	}
	if out := checkOn(t, false, nil, "--color=always", target); !strings.Contains(out, red) {
		t.Errorf("--color=always on a pipe: %q, want the red PROBLEM", out)
	}
	if out := checkOn(t, true, nil, "--json", target); strings.Contains(out, "\x1b[") || !strings.Contains(out, `"cause": "other-app"`) {
		t.Errorf("--json on a terminal has escapes or no finding:\n%s", out)
	}
}

// TestWatchColoursOnATerminal: `traycheck watch` on a real pty prints its
// checks in the same format, coloured, and NO_COLOR=1 turns the colour off
// there too.
func TestWatchColoursOnATerminal(t *testing.T) {
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	port := strconv.Itoa(c.LocalAddr().(*net.UDPAddr).Port)
	bin, err := exec.LookPath("traycheck")
	if err != nil {
		t.Fatalf("testscript should have put traycheck on PATH: %v", err)
	}
	for _, tc := range []struct {
		env  string
		want string
	}{
		{"NO_COLOR=", "\x1b[31mPROBLEM  other-app\x1b[0m"},
		{"NO_COLOR=1", "\nPROBLEM  other-app"},
	} {
		dir := t.TempDir()
		cfg := dir + "/watch.toml"
		if err := os.WriteFile(cfg, []byte("[vpn]\nports = [\"udp/"+port+"\"]\n[check]\ninterval = \"1h\"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "watch", "--config", cfg)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "XDG_CONFIG_HOME=" + dir, "XDG_CACHE_HOME=" + dir,
			"XDG_STATE_HOME=" + dir, "TERM=xterm", tc.env}
		master, term := ptyPair(t, 100)
		cmd.Stdout = term
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		term.Close()
		var out testenv.SyncBuffer
		done := make(chan struct{})
		go func() { io.Copy(&out, master); close(done) }()
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(out.String(), "next: ") && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
		<-done
		got := strings.ReplaceAll(out.String(), "\r\n", "\n")
		if !strings.Contains(got, tc.want) || (tc.env == "NO_COLOR=1" && strings.Contains(got, "\x1b[")) {
			t.Errorf("watch with %s on a terminal:\n%q\nwant %q", tc.env, got, tc.want)
		}
	}
}
