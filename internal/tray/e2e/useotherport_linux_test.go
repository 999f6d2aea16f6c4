//go:build linux

package e2e

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestUseAnotherPortByClick (issue 25 item 1): a real click on "Use another
// port" in xfce4-notifyd shows the free port in a note, not only in the
// log, with a Copy button. (A pointer left over a button by an earlier
// test's click once hid that button from clickButton; see parkPointer.)
func TestUseAnotherPortByClick(t *testing.T) {
	ctx := requireDesktop(t)
	c, w := watchNotes(ctx, t)
	port := freeUDPPort(t)
	h := startHolder(ctx, t, port)
	tr := startTray(ctx, t, port)
	findItem(ctx, t, c, tr.cmd.Process.Pid)

	n := w.waitNote(ctx, t, fmt.Sprintf("VPN 'e2e VPN' is blocked: udp/%d", port))
	i, nb := buttonIndex(t, n.Actions, "use-other-port")
	clickButton(ctx, t, "notification-otherport", i, nb)
	poll(ctx, t, "xfce4-notifyd to report the click on Use another port", func() bool { return w.sawAction(n.ID, "use-other-port") })

	sn := w.waitNote(ctx, t, ": free now")
	m := regexp.MustCompile(`^Use udp/(\d+): free now$`).FindStringSubmatch(sn.Summary)
	if m == nil {
		t.Fatalf("suggestion summary %q", sn.Summary)
	}
	free, _ := strconv.Atoi(m[1])
	if free == port || free == 0 {
		t.Errorf("suggested udp/%d for udp/%d", free, port)
	}
	if !strings.Contains(sn.Body, fmt.Sprintf("Instead of udp/%d, held by socat (PID %d)", port, h.pid)) {
		t.Errorf("suggestion body %q does not say what it replaces", sn.Body)
	}
	sn.checkHints(t, "network")
	if len(sn.Actions) != 2 || sn.Actions[0] != "copy" || sn.Actions[1] != "Copy" {
		t.Fatalf("suggestion buttons %s, want one Copy", describe(sn.Actions))
	}
	// The Copy click itself (clipboard, "Copied" note, a forged answer
	// refused) is covered by tray.TestSuggestionCopy.
}
