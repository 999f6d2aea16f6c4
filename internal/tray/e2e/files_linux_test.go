//go:build linux

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/traycheck/traycheck/internal/testenv"
)

// home is a private HOME and XDG cache for one tray: the report and the log
// land in it, and the report's redaction can be checked against it.
type home struct {
	dir, cache, cfg string
}

func newHome(t *testing.T, port int) home {
	t.Helper()
	dir := t.TempDir()
	h := home{dir: dir, cache: filepath.Join(dir, "cache"), cfg: filepath.Join(dir, "config.toml")}
	err := os.WriteFile(h.cfg, []byte(fmt.Sprintf("[vpn]\nname = \"e2e VPN\"\nports = [\"udp/%d\"]\ndevices = []\n[check]\ninterval = \"1s\"\n", port)), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func (h home) env(extra ...string) []string {
	return append([]string{"HOME=" + h.dir, "XDG_CACHE_HOME=" + h.cache, "XDG_CONFIG_HOME=" + filepath.Join(h.dir, "xdg")}, extra...)
}

func (h home) report() string { return filepath.Join(h.cache, "traycheck", "traycheck-report.txt") }

// clickLabel waits for an enabled menu entry and clicks it.
func clickLabel(ctx context.Context, t *testing.T, c *dbus.Conn, item, label string) {
	t.Helper()
	m := waitMenu(ctx, t, c, item, "an enabled "+label, func(m menuNode) bool {
		n, ok := m.find(label)
		return ok && n.Enabled
	})
	n, _ := m.find(label)
	click(t, c, item, n.ID)
}

// xclipOut reads the clipboard as another program would paste it.
func xclipOut(ctx context.Context, xclip string) string {
	out, err := exec.CommandContext(ctx, xclip, "-o", "-selection", "clipboard").Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// setClipboard owns the clipboard with text. loops > 0 makes xclip serve
// that many pastes and exit; the owner it replaces exits at once.
func setClipboard(ctx context.Context, t *testing.T, xclip, text string, loops int) {
	t.Helper()
	args := []string{"-selection", "clipboard", "-in"}
	if loops > 0 {
		args = append(args, "-loops", fmt.Sprint(loops))
	}
	cmd := exec.CommandContext(ctx, xclip, args...)
	cmd.Stdin = strings.NewReader(text)
	if err := cmd.Run(); err != nil {
		t.Fatalf("xclip -in: %v", err)
	}
}

// TestCopyDiagnosticsToClipboard: with a stray program holding the VPN's
// port, "Copy diagnostics" writes the redacted report into the user's cache
// directory, the X clipboard then holds exactly that text, and a note says
// both.
func TestCopyDiagnosticsToClipboard(t *testing.T) {
	ctx := requireDesktop(t)
	xclip := testenv.LookPath(t, "xclip")
	testenv.Env(t, "DISPLAY")
	port := freeUDPPort(t)
	holder := startHolder(ctx, t, port)
	h := newHome(t, port)
	bus := watchBus(t)
	// Something else owns the clipboard first, so a report left there by
	// an earlier run cannot pass for this one.
	setClipboard(ctx, t, xclip, "before the click", 0)
	t.Cleanup(func() {
		// Leave no xclip holding the selection: one that serves a single
		// paste takes over, and that paste ends it.
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		setClipboard(ctx, t, xclip, "e2e done", 1)
		xclipOut(ctx, xclip)
	})

	tr := runTray(t, h.env(), "tray", "--config", h.cfg)
	c := sessionConn(t)
	item := findItem(ctx, t, c, tr.cmd.Process.Pid)
	waitMenu(ctx, t, c, item, "the conflict", func(m menuNode) bool {
		return len(m.Children) > 0 && strings.Contains(m.Children[0].Label, "held by socat")
	})
	clickLabel(ctx, t, c, item, "Copy diagnostics")

	n := bus.waitNote(ctx, t, "Diagnostics copied to the clipboard")
	if !strings.Contains(n.Body, h.report()) {
		t.Errorf("the note does not say where the report is (%s): %q", h.report(), n.Body)
	}
	report, err := os.ReadFile(h.report())
	if err != nil {
		t.Fatalf("no report at %s: %v", h.report(), err)
	}
	if got := xclipOut(ctx, xclip); got != string(report) {
		t.Errorf("the clipboard holds %q, want the report file's text (%d bytes)", got, len(report))
	}
	text := string(report)
	for _, want := range []string{
		"traycheck diagnostic report",
		"redaction: user names and home paths replaced; command-line arguments dropped",
		"source: ~/config.toml", // the home directory is ~
		fmt.Sprintf("udp/%d: ", port),
		fmt.Sprintf("socat (PID %d", holder.pid),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	for _, leak := range []string{h.dir, "UDP4-RECV"} { // the home path; socat's arguments
		if strings.Contains(text, leak) {
			t.Errorf("the redacted report contains %q:\n%s", leak, text)
		}
	}
	if st, err := os.Stat(h.report()); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("report mode %v (%v), want 0600: it describes the user's machine", st.Mode(), err)
	}
	waitMenu(ctx, t, c, item, "Copy diagnostics to be clickable again", func(m menuNode) bool {
		n, ok := m.find("Copy diagnostics")
		return ok && n.Enabled
	})
}

// TestOpenLogAndDiagnosticsWithoutClipboard: in a session with no display
// server to hold a clipboard, "Copy diagnostics" writes the report and opens
// its folder instead, and says so; "Open log" hands the log file to the
// opener. A stand-in xdg-open records what it was asked to open.
func TestOpenLogAndDiagnosticsWithoutClipboard(t *testing.T) {
	ctx := requireDesktop(t)
	port := freeUDPPort(t)
	h := newHome(t, port)
	bindir := filepath.Join(h.dir, "bin")
	opened := filepath.Join(h.dir, "opened")
	if err := os.MkdirAll(bindir, 0o700); err != nil {
		t.Fatal(err)
	}
	// One line per call, each argument in its own field: a path with spaces
	// would show as more than one.
	script := "#!/bin/sh\nprintf '%s|' \"$@\" >> '" + opened + "'\necho >> '" + opened + "'\n"
	if err := os.WriteFile(filepath.Join(bindir, "xdg-open"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	calls := func() []string {
		b, _ := os.ReadFile(opened)
		return strings.Fields(string(b))
	}
	bus := watchBus(t)
	// The tray needs only the session bus; without DISPLAY no clipboard
	// program can work.
	tr := runTray(t, h.env("DISPLAY=", "WAYLAND_DISPLAY=", "PATH="+bindir+":"+os.Getenv("PATH")),
		"tray", "--config", h.cfg)
	c := sessionConn(t)
	item := findItem(ctx, t, c, tr.cmd.Process.Pid)

	clickLabel(ctx, t, c, item, "Open log")
	log := filepath.Join(h.cache, "traycheck", "traycheck.log")
	poll(ctx, t, "xdg-open to be run with the log", func() bool { return len(calls()) == 1 })
	if got := calls()[0]; got != log+"|" {
		t.Errorf("xdg-open got %q, want the one argument %s", got, log)
	}
	if b, err := os.ReadFile(log); err != nil || !strings.Contains(string(b), "tray started") {
		t.Errorf("the opened log is not the tray's: %v", err)
	}

	clickLabel(ctx, t, c, item, "Copy diagnostics")
	n := bus.waitNote(ctx, t, "Diagnostics saved (no clipboard here)")
	if !strings.Contains(n.Body, h.report()) || !strings.Contains(n.Body, "folder is open") {
		t.Errorf("the note must say where the report is and that its folder is open: %q", n.Body)
	}
	poll(ctx, t, "xdg-open to be run with the report's folder", func() bool { return len(calls()) == 2 })
	if got, want := calls()[1], filepath.Dir(h.report())+"|"; got != want {
		t.Errorf("xdg-open got %q, want the report's folder %q", got, want)
	}
	if b, err := os.ReadFile(h.report()); err != nil || !strings.Contains(string(b), fmt.Sprintf("udp/%d: free", port)) {
		t.Errorf("report at %s: %v\n%s", h.report(), err, b)
	}
}
