//go:build linux

package e2e

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/traycheck/traycheck/internal/notify/compose"
)

// docImage writes the part r of img as NAME.png, small, for the README: to
// $TRAYCHECK_DOC_IMAGES (`make screenshots` points it at docs/images), or
// to build/artifacts when that is unset, so a plain test run changes no
// committed file.
func docImage(t *testing.T, img image.Image, r image.Rectangle, name string) string {
	t.Helper()
	dir := os.Getenv("TRAYCHECK_DOC_IMAGES")
	if dir == "" {
		dir = artifactDir(t)
	}
	return crop(t, img, r, dir, name)
}

// crop writes the part r of img as dir/NAME.png.
func crop(t *testing.T, img image.Image, r image.Rectangle, dir, name string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r = r.Intersect(img.Bounds())
	out := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(out, out.Bounds(), img, r.Min, draw.Src)
	p := filepath.Join(dir, name+".png")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(f, out); err != nil {
		t.Fatal(err)
	}
	return p
}

// trayWith runs the tray for a VPN of the given name watching udp/port.
func trayWith(t *testing.T, name string, port int) *trayProc {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	err := os.WriteFile(cfg, []byte(fmt.Sprintf("[vpn]\nname = %q\nports = [\"udp/%d\"]\n[check]\ninterval = \"1s\"\n", name, port)), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	return runTray(t, []string{"XDG_CONFIG_HOME=" + filepath.Join(dir, "xdg")}, "tray", "--config", cfg)
}

// noteWindow waits for xfce4-notifyd's one window and returns a screenshot
// with its geometry.
func noteWindow(ctx context.Context, t *testing.T, name string) (image.Image, geometry) {
	t.Helper()
	var img image.Image
	var g geometry
	poll(ctx, t, "one notification window on screen", func() bool {
		ws := notifydWindows(ctx)
		if len(ws) != 1 {
			return false
		}
		g = ws[0]
		img = screenshot(ctx, t, name)
		return true
	})
	return img, g
}

// TestScreenshotsForDocs takes the README's pictures from the real desktop
// (xfce4-panel, xfce4-notifyd under Xvfb): the conflict's notification and
// the tray menu open on it. It also checks that the longest summary
// traycheck writes is not cut at the daemon's width: xfce4-notifyd wraps a
// summary that does not fit, so that note's window is taller than the one of
// a one-line summary with the same body, and the whole text is on the bus.
func TestScreenshotsForDocs(t *testing.T) {
	ctx := requireDesktop(t)
	c, w := watchNotes(ctx, t)

	installIcons(t)
	port := freeUDPPort(t)
	startHolder(ctx, t, port)
	tr := trayWith(t, "work", port)
	item := findItem(ctx, t, c, tr.cmd.Process.Pid)
	n := w.waitNote(ctx, t, fmt.Sprintf("VPN 'work' is blocked: udp/%d held by socat", port))
	img, g := noteWindow(ctx, t, "doc-notification")
	p := docImage(t, img, image.Rect(g.x-8, g.y-8, g.x+g.w+8, g.y+g.h+8), "notification")
	t.Logf("wrote %s (%dx%d)", p, g.w, g.h)

	// The menu, opened on the panel's icon the way a user does.
	waitPanel(ctx, t, "doc-panel", "red")
	waitMenu(ctx, t, c, item, "the menu", func(m menuNode) bool { _, ok := m.find("Check now"); return ok })
	closeNotes(c, w.ids())
	poll(ctx, t, "the note to go", func() bool { return len(notifydWindows(ctx)) == 0 })
	x, y := redIcon(ctx, t)
	if out, err := exec.CommandContext(ctx, "xdotool", "mousemove", "--sync", strconv.Itoa(x), strconv.Itoa(y), "click", "1").CombinedOutput(); err != nil {
		t.Fatalf("xdotool click on the icon: %v\n%s", err, out)
	}
	var menu image.Rectangle
	poll(ctx, t, "the menu to open (see doc-menu.png)", func() bool {
		img = screenshot(ctx, t, "doc-menu")
		menu = menuArea(img, x, y)
		return menu.Dy() > 100
	})
	p = docImage(t, img, menu.Inset(-8), "menu")
	t.Logf("wrote %s", p)
	_ = exec.CommandContext(ctx, "xdotool", "key", "Escape").Run()

	// The longest summary traycheck writes (compose.MaxSummary characters:
	// a longer one drops the holder's name): a five-digit port and a
	// program name that just fits.
	_ = tr.cmd.Process.Signal(syscall.SIGTERM) // one tray per session: the next one would hand over to it
	poll(ctx, t, "the first tray to exit", func() bool { return !alive(tr.cmd.Process.Pid) })
	port2 := freeUDPPort(t)
	if port2 < 10000 {
		t.Skip("no five-digit port free") // freeUDPPort picks ephemeral ports: never here
	}
	lh := startHolder(ctx, t, port2)
	trayWith(t, "work", port2)
	ln := w.waitNote(ctx, t, fmt.Sprintf("VPN 'work' is blocked: udp/%d held by socat", port2))
	if n := len([]rune(ln.Summary)); n != compose.MaxSummary {
		t.Fatalf("the test's longest summary has %d characters, want %d: %q", n, compose.MaxSummary, ln.Summary)
	}
	if !strings.Contains(ln.Body, fmt.Sprintf("PID %d", lh.pid)) {
		t.Errorf("the long note's body does not name the holder: %q", ln.Body)
	}
	t.Logf("longest summary (%d characters): %q", len([]rune(ln.Summary)), ln.Summary)
	if n.Body == "" {
		t.Fatal("the conflict note has no body")
	}
	img, lg := noteWindow(ctx, t, "doc-longest")
	crop(t, img, image.Rect(lg.x-8, lg.y-8, lg.x+lg.w+8, lg.y+lg.h+8), artifactDir(t), "longest-summary")
	closeNotes(c, w.ids())
	poll(ctx, t, "the long note to go", func() bool { return len(notifydWindows(ctx)) == 0 })

	// xfce4-notifyd widens a note to fit its summary up to a maximum, and
	// cuts (ellipsizes) what is longer. The maximum: the width of the same
	// note with a summary far too long for it. The longest summary's note
	// must stay narrower, or its summary was cut.
	var probe uint32
	err := c.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications").Call(
		"org.freedesktop.Notifications.Notify", 0, "e2e", uint32(0), ln.AppIcon, strings.Repeat("W", 120), ln.Body, ln.Actions,
		ln.Hints, int32(0)).Store(&probe)
	if err != nil {
		t.Fatalf("probe note: %v", err)
	}
	t.Cleanup(func() { closeNotes(c, []uint32{probe}) })
	_, pg := noteWindow(ctx, t, "doc-probe")
	t.Logf("a cut summary's note is %d px wide; the longest summary's %d px", pg.w, lg.w)
	if lg.w >= pg.w-2 {
		t.Errorf("the longest summary %q fills the daemon's widest note (%d of %d px): it is cut (see longest-summary.png)", ln.Summary, lg.w, pg.w)
	}
}

// installIcons puts traycheck's themed icon where the session's icon theme
// looks (its own XDG_DATA_HOME), as the package does in /usr/share/icons.
func installIcons(t *testing.T) {
	t.Helper()
	data := os.Getenv("XDG_DATA_HOME")
	if data == "" {
		return
	}
	root, err := filepath.Abs(filepath.Join("..", "..", "..", "icons", "hicolor"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-r", root, filepath.Join(data, "icons")+"/").CombinedOutput(); err != nil {
		if err := os.MkdirAll(filepath.Join(data, "icons"), 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err = exec.Command("cp", "-r", root, filepath.Join(data, "icons")+"/").CombinedOutput(); err != nil {
			t.Fatalf("installing the icons: %v\n%s", err, out)
		}
	}
}

// redIcon finds the conflict icon on the panel: the centre of its red pixels.
func redIcon(ctx context.Context, t *testing.T) (x, y int) {
	t.Helper()
	poll(ctx, t, "the red icon on the panel", func() bool {
		img := screenshot(ctx, t, "doc-panel")
		r := panelStrip(img)
		n := 0
		sx, sy := 0, 0
		for yy := r.Min.Y; yy < r.Max.Y; yy++ {
			for xx := r.Min.X; xx < r.Max.X; xx++ {
				R, G, B, _ := img.At(xx, yy).RGBA()
				if R>>8 > 150 && R>>8 > G>>8+80 && R>>8 > B>>8+80 {
					n++
					sx += xx
					sy += yy
				}
			}
		}
		if n < 50 {
			return false
		}
		x, y = sx/n, sy/n
		return true
	})
	return x, y
}

// menuArea is the menu the panel popped up above (x, y): the box of
// non-background pixels above the panel around x.
func menuArea(img image.Image, x, y int) image.Rectangle {
	b := img.Bounds()
	bg := img.At(b.Min.X+5, b.Min.Y+5) // the empty root window
	same := func(xx, yy int) bool {
		r1, g1, b1, _ := img.At(xx, yy).RGBA()
		r2, g2, b2, _ := bg.RGBA()
		return r1 == r2 && g1 == g2 && b1 == b2
	}
	top := b.Max.Y - 40
	r := image.Rectangle{}
	for yy := b.Min.Y; yy < top; yy++ {
		for xx := b.Min.X; xx < b.Max.X; xx++ {
			if !same(xx, yy) {
				r = r.Union(image.Rect(xx, yy, xx+1, yy+1))
			}
		}
	}
	_ = x
	_ = y
	return r
}

// TestReadmeFirstScreen keeps the README's first screen what a newcomer
// needs: what traycheck is, the two pictures (present), and the two
// commands, near the top.
func TestReadmeFirstScreen(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(b), "\n", 31)
	top := strings.Join(lines[:min(30, len(lines))], "\n")
	for _, want := range []string{"traycheck is a tray icon", "](docs/images/notification.png)", "](docs/images/menu.png)",
		"\ngo run ./cmd/traycheck ", "\nmake test "} {
		if !strings.Contains(top, want) {
			t.Errorf("the README's first 30 lines lack %q", want)
		}
	}
	for _, img := range []string{"notification.png", "menu.png"} {
		f, err := os.Open(filepath.Join(root, "docs", "images", img))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width < 200 || cfg.Width > 800 {
			t.Errorf("docs/images/%s: %v, %d px wide", img, err, cfg.Width)
		}
	}
}
