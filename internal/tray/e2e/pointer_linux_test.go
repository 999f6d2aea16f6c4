//go:build linux

package e2e

import (
	"context"
	"os/exec"
	"testing"
)

// parkPointer moves the mouse pointer to the left edge of the screen, where
// no note, panel or menu ever shows. A pointer left where a click landed
// hovers the next note that opens under it, and xfce4-notifyd then draws
// the hovered button white like the window around it: buttonCenters sees
// one button fewer and waits in vain. That is how a click of one test (the
// reset confirmation's "Reset it" at the top right) made the next test's
// three-button note look like a two-button one for a minute, until the note
// expired and the screen was empty. A user moves the mouse on; the tests
// park it. (No --sync: xdotool's --sync waits some 15 s for a motion that
// never comes when the pointer is already there. Whoever looks next polls.)
func parkPointer(ctx context.Context, t *testing.T) {
	t.Helper()
	if out, err := exec.CommandContext(ctx, "xdotool", "mousemove", "4", "400").CombinedOutput(); err != nil {
		t.Fatalf("xdotool mousemove (parking the pointer): %v\n%s", err, out)
	}
}
