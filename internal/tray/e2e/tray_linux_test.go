//go:build linux

package e2e

import (
	"context"
	"fmt"
	"image"
	"slices"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
)

// TestMenuAndCheckNow: the item registers with the panel's watcher, its menu
// has the status line and "Check now", and clicking "Check now" runs a check.
func TestMenuAndCheckNow(t *testing.T) {
	ctx := requireDesktop(t)
	port := freeUDPPort(t)
	tr := startTray(ctx, t, port)
	c := sessionConn(t)
	item := findItem(ctx, t, c, tr.cmd.Process.Pid)

	m := waitMenu(ctx, t, c, item, "the all-clear status line", func(m menuNode) bool {
		return len(m.Children) > 0 && m.Children[0].Label == "All clear: 1 port, 0 devices"
	})
	if m.Children[0].Enabled {
		t.Error("the status line is clickable; want it disabled")
	}
	check, ok := m.find("Check now")
	if !ok || !check.Enabled {
		t.Fatalf("no enabled \"Check now\" in %q", m.labels())
	}
	for _, want := range []string{"Copy diagnostics", "Start at login", "Open config", "Open log", "Quit"} {
		if _, ok := m.find(want); !ok {
			t.Errorf("menu %q lacks %q", m.labels(), want)
		}
	}
	manualCheck := func() bool {
		for _, l := range strings.Split(tr.log.String(), "\n") {
			if strings.Contains(l, `msg="check finished"`) && strings.Contains(l, "trigger=manual origin=tray") {
				return true
			}
		}
		return false
	}
	if manualCheck() {
		t.Fatal("a manual check ran before the click")
	}
	click(t, c, item, check.ID)
	poll(ctx, t, "the clicked check to run", manualCheck)
}

// TestConflictEndProcessByClick: a port held by a helper yields a
// notification naming it, with the fitting buttons; a real click on "End
// socat" in xfce4-notifyd and on "End it" in the confirmation ends the
// helper, and the icon and menu return to OK.
func TestConflictEndProcessByClick(t *testing.T) {
	ctx := requireDesktop(t)
	c, w := watchNotes(ctx, t)
	port := freeUDPPort(t)
	h := startHolder(ctx, t, port)
	tr := startTray(ctx, t, port)
	item := findItem(ctx, t, c, tr.cmd.Process.Pid)

	// Issue 25: the summary names the connection and stays short; the
	// body says who (with the PID) and why; the buttons speak for themselves.
	// (The holder's name does not fit after this VPN name and a five-digit
	// port: the body names it.)
	held := fmt.Sprintf("VPN 'e2e VPN' is blocked: udp/%d", port)
	n := w.waitNote(ctx, t, held)
	if n.Summary != held {
		t.Errorf("title = %q, want %q", n.Summary, held)
	}
	for _, want := range []string{"retry", "Retry", "end-process", "End socat…"} {
		if !slices.Contains(n.Actions, want) {
			t.Errorf("buttons %s lack %q", describe(n.Actions), want)
		}
	}
	if !strings.Contains(n.Body, fmt.Sprintf("socat (PID %d", h.pid)) || strings.Count(n.Body, "\n") > 1 {
		t.Errorf("body does not say who in at most two lines: %q", n.Body)
	}
	n.checkHints(t, "network.error")
	waitMenu(ctx, t, c, item, "the conflict status line", func(m menuNode) bool {
		return len(m.Children) > 0 && m.Children[0].Label == fmt.Sprintf("udp/%d held by socat (PID %d)", port, h.pid)
	})
	conflictPix := waitIcon(ctx, t, c, item, "red")
	conflictShot := waitPanel(ctx, t, "tray-conflict", "red")

	i, nb := buttonIndex(t, n.Actions, "end-process")
	clickButton(ctx, t, "notification-conflict", i, nb)
	poll(ctx, t, "xfce4-notifyd to report the click on End socat", func() bool { return w.sawAction(n.ID, "end-process") })

	cn := w.waitNote(ctx, t, fmt.Sprintf("End socat (PID %d, ", h.pid))
	if !strings.Contains(cn.Summary, "/socat") {
		t.Errorf("confirmation %q does not name the program's path", cn.Summary)
	}
	if want := []string{"confirm-end-process", "End it", "cancel", "Cancel"}; !slices.Equal(cn.Actions, want) {
		t.Errorf("confirmation buttons = %q, want %q", cn.Actions, want)
	}
	cn.checkHints(t, "network")
	select {
	case <-h.exited:
		t.Fatal("the helper ended before the confirmation")
	default:
	}
	clickButton(ctx, t, "notification-confirm", 0, 2)
	poll(ctx, t, "xfce4-notifyd to report the click on End it", func() bool { return w.sawAction(cn.ID, "confirm-end-process") })

	select {
	case <-h.exited:
	case <-ctx.Done():
		t.Fatal("the helper still runs after the confirmed end-process")
	}
	waitMenu(ctx, t, c, item, "the menu to return to all clear", func(m menuNode) bool {
		return len(m.Children) > 0 && m.Children[0].Label == "All clear: 1 port, 0 devices"
	})
	// What was done, not only that the port is free.
	done := w.waitNote(ctx, t, fmt.Sprintf("Ended socat (PID %d); udp/%d is free", h.pid, port))
	done.checkHints(t, "network")
	okPix := waitIcon(ctx, t, c, item, "green")
	okShot := waitPanel(ctx, t, "tray-ok", "green")

	// The icon changed colour, over D-Bus and on screen.
	if conflictPix == okPix {
		t.Error("IconPixmap did not change")
	}
	cr, cg := hues(conflictShot, panelStrip(conflictShot))
	or, og := hues(okShot, panelStrip(okShot))
	t.Logf("panel strip: conflict red=%d green=%d; ok red=%d green=%d", cr, cg, or, og)
	if cr < 50 || cr <= cg {
		t.Errorf("conflict screenshot: panel shows no red icon (red=%d green=%d)", cr, cg)
	}
	if og < 50 || og <= or {
		t.Errorf("ok screenshot: panel shows no green icon (red=%d green=%d)", or, og)
	}
}

// waitIcon waits until the item's IconPixmap is mostly the given colour and
// returns it as a string (to compare icons).
func waitIcon(ctx context.Context, t *testing.T, c *dbus.Conn, item, colour string) string {
	t.Helper()
	var px []byte
	var last string
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("last IconPixmap: %s", last)
		}
	})
	poll(ctx, t, "a "+colour+" IconPixmap", func() bool {
		w, h, argb, err := iconPixmap(c, item)
		if err != nil || w*h*4 != len(argb) || w == 0 {
			last = fmt.Sprintf("%dx%d, %d bytes, err %v", w, h, len(argb), err)
			return false
		}
		red, green := pixmapHues(argb)
		last = fmt.Sprintf("%dx%d red=%d green=%d", w, h, red, green)
		px = argb
		if colour == "red" {
			return red > w*h/4 && green == 0
		}
		return green > w*h/4 && red == 0
	})
	return string(px)
}

// watchNotes starts a test that clicks notes: it clears the notes left by
// earlier tests, watches the session bus, and closes this test's notes when
// it ends. It returns the session connection and the watch.
func watchNotes(ctx context.Context, t *testing.T) (*dbus.Conn, *busWatch) {
	t.Helper()
	c := sessionConn(t)
	clearNotes(ctx, t, c)
	w := watchBus(t)
	t.Cleanup(func() { closeNotes(c, w.ids()) })
	return c, w
}

// clearNotes closes every note xfce4-notifyd shows (urgent ones stay until
// closed, also after the test that caused them) and waits for the windows to
// go, so a click lands on this test's note. Its ids count up from 1, so a
// probe note's id bounds them. It parks the pointer too: where an earlier
// test clicked, it would hover this test's note.
func clearNotes(ctx context.Context, t *testing.T, c *dbus.Conn) {
	t.Helper()
	parkPointer(ctx, t)
	var last uint32
	err := c.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications").Call(
		"org.freedesktop.Notifications.Notify", 0, "e2e", uint32(0), "", "probe", "", []string{},
		map[string]dbus.Variant{}, int32(1)).Store(&last)
	if err != nil {
		t.Fatalf("probe note: %v", err)
	}
	ids := make([]uint32, 0, last)
	for id := uint32(1); id <= last; id++ {
		ids = append(ids, id)
	}
	closeNotes(c, ids)
	poll(ctx, t, "the old notifications to go", func() bool { return len(notifydWindows(ctx)) == 0 })
}

// waitPanel takes screenshots until the panel shows the icon in the colour:
// the panel redraws some time after the item announces a new icon.
func waitPanel(ctx context.Context, t *testing.T, name, colour string) image.Image {
	t.Helper()
	var img image.Image
	poll(ctx, t, "the panel to show a "+colour+" icon (see "+name+".png)", func() bool {
		img = screenshot(ctx, t, name)
		red, green := hues(img, panelStrip(img))
		if colour == "red" {
			return red >= 50 && red > green
		}
		return green >= 50 && green > red
	})
	return img
}

// closeNotes withdraws the test's notes so later tests see a clean screen.
func closeNotes(c *dbus.Conn, ids []uint32) {
	for _, id := range ids {
		c.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications").
			Call("org.freedesktop.Notifications.CloseNotification", 0, id)
	}
}
