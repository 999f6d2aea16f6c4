//go:build linux

package e2e

import (
	"context"
	"fmt"
	"image"
	_ "image/png" // screenshots
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// artifactDir is build/artifacts at the module root (gitignored); CI keeps it.
func artifactDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("TRAYCHECK_ARTIFACTS"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
	d := filepath.Join(dir, "build", "artifacts")
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// screenshot saves the whole screen as build/artifacts/NAME.png and returns it.
func screenshot(ctx context.Context, t *testing.T, name string) image.Image {
	t.Helper()
	p := filepath.Join(artifactDir(t), name+".png")
	if out, err := exec.CommandContext(ctx, "import", "-window", "root", p).CombinedOutput(); err != nil {
		if ctx.Err() != nil {
			// The test's deadline killed import: what timed out is the
			// step that was taking screenshots, not import.
			t.Fatalf("the test's %v deadline passed while taking %s.png (import: %v)", testTimeout, name, err)
		}
		t.Fatalf("import -window root: %v\n%s", err, out)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("decoding %s: %v", p, err)
	}
	return img
}

// hues counts strongly red and strongly green pixels in r: the conflict and
// OK icons' fills (nothing else on the panel is saturated).
func hues(img image.Image, r image.Rectangle) (red, green int) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			R, G, B := int(cr>>8), int(cg>>8), int(cb>>8)
			switch {
			case R > 150 && R > G+80 && R > B+80:
				red++
			case G > 120 && G > R+50 && G > B+50:
				green++
			}
		}
	}
	return red, green
}

// panelStrip is the bottom panel (xfce4-panel, 32 px, as with-desktop.sh
// configures it), where the tray icon sits.
func panelStrip(img image.Image) image.Rectangle {
	b := img.Bounds()
	return image.Rect(b.Min.X, b.Max.Y-40, b.Max.X, b.Max.Y)
}

// pixmapHues counts red and green pixels of an ARGB32 IconPixmap.
func pixmapHues(argb []byte) (red, green int) {
	for i := 0; i+3 < len(argb); i += 4 {
		a, R, G, B := int(argb[i]), int(argb[i+1]), int(argb[i+2]), int(argb[i+3])
		if a < 200 {
			continue
		}
		switch {
		case R > 150 && R > G+80 && R > B+80:
			red++
		case G > 120 && G > R+50 && G > B+50:
			green++
		}
	}
	return red, green
}

type geometry struct{ x, y, w, h int }

// notifydWindows lists xfce4-notifyd's visible windows.
func notifydWindows(ctx context.Context) []geometry {
	out, err := exec.CommandContext(ctx, "xdotool", "search", "--onlyvisible", "--class", "xfce4-notifyd").Output()
	if err != nil {
		return nil
	}
	var gs []geometry
	for _, w := range strings.Fields(string(out)) {
		if g, ok := windowGeometry(ctx, w); ok && g.h > 40 {
			gs = append(gs, g)
		}
	}
	return gs
}

func windowGeometry(ctx context.Context, id string) (geometry, bool) {
	out, err := exec.CommandContext(ctx, "xdotool", "getwindowgeometry", "--shell", id).Output()
	if err != nil {
		return geometry{}, false
	}
	var g geometry
	for _, l := range strings.Split(string(out), "\n") {
		k, v, _ := strings.Cut(l, "=")
		n, _ := strconv.Atoi(v)
		switch k {
		case "X":
			g.x = n
		case "Y":
			g.y = n
		case "WIDTH":
			g.w = n
		case "HEIGHT":
			g.h = n
		}
	}
	return g, g.w > 0
}

// clickButton clicks button i of the notification window that shows n
// buttons. The buttons are found on screen rather than assumed: xfce4-notifyd
// right-aligns them at their natural width when they fit and spreads them
// when they do not, and an answered note may still be fading out beside the
// next one. The pointer is parked off the notes before and after the click
// (see parkPointer).
func clickButton(ctx context.Context, t *testing.T, name string, i, n int) {
	t.Helper()
	parkPointer(ctx, t)
	var pts []image.Point
	var seen []string // what the last look found, for a failure
	t.Cleanup(func() {
		if t.Failed() && len(seen) > 0 {
			t.Logf("clickButton %s: last seen %s", name, strings.Join(seen, "; "))
		}
	})
	poll(ctx, t, fmt.Sprintf("a notification window with %d buttons (see %s.png)", n, name), func() bool {
		img := screenshot(ctx, t, name)
		seen = seen[:0]
		for _, g := range notifydWindows(ctx) {
			if pts = buttonCenters(img, g, n); len(pts) == n {
				return true
			}
			seen = append(seen, fmt.Sprintf("window %dx%d+%d+%d without a row of %d buttons", g.w, g.h, g.x, g.y, n))
		}
		if len(seen) == 0 {
			seen = append(seen, "no xfce4-notifyd window")
		}
		return false
	})
	x, y := pts[i].X, pts[i].Y
	out, err := exec.CommandContext(ctx, "xdotool", "mousemove", "--sync", strconv.Itoa(x), strconv.Itoa(y), "click", "1").CombinedOutput()
	if err != nil {
		t.Fatalf("xdotool click at %d,%d: %v\n%s", x, y, err, out)
	}
	t.Logf("clicked button %d of %d at %d,%d", i+1, n, x, y)
	parkPointer(ctx, t)
}

// buttonCenters finds a row of n buttons at the bottom of the window g: the
// window is white, buttons are grey-edged boxes, so a scan line through them
// crosses n runs of non-white pixels.
func buttonCenters(img image.Image, g geometry, n int) []image.Point {
	runs := func(y int) [][2]int {
		var out [][2]int
		start := -1
		for x := g.x + 2; x < g.x+g.w-2; x++ {
			r, gg, b, _ := img.At(x, y).RGBA()
			white := r>>8 > 0xf4 && gg>>8 > 0xf4 && b>>8 > 0xf4
			switch {
			case !white && start < 0:
				start = x
			case white && start >= 0:
				if x-start >= 24 {
					out = append(out, [2]int{start, x})
				}
				start = -1
			}
		}
		return out
	}
	bottom, top := -1, -1
	var row [][2]int
	for y := g.y + g.h - 4; y > g.y+g.h-80 && y > g.y; y-- {
		r := runs(y)
		if len(r) == n {
			if bottom < 0 {
				bottom, row = y, r
			}
			top = y
		} else if bottom >= 0 {
			break
		}
	}
	if bottom < 0 || bottom-top < 10 {
		return nil
	}
	var pts []image.Point
	for _, r := range row {
		pts = append(pts, image.Point{X: (r[0] + r[1]) / 2, Y: (top + bottom) / 2})
	}
	return pts
}

// buttonIndex is the position of key among a Notify call's actions.
func buttonIndex(t *testing.T, actions []string, key string) (i, n int) {
	t.Helper()
	n = len(actions) / 2
	for j := 0; j < n; j++ {
		if actions[2*j] == key {
			return j, n
		}
	}
	t.Fatalf("no %q button among %q", key, actions)
	return 0, 0
}

func describe(actions []string) string {
	var parts []string
	for i := 0; i+1 < len(actions); i += 2 {
		parts = append(parts, fmt.Sprintf("%s=%q", actions[i], actions[i+1]))
	}
	return strings.Join(parts, ", ")
}
