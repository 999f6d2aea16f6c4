//go:build linux

package e2e

import (
	"fmt"
	"os"
	"os/exec"
)

// notifydPatience gives xfce4-notifyd notes a minute before they expire.
// traycheck asks for the server's default timeout (issue 25: a conflict is
// a normal note, not a critical one that stays forever), which is 10 s in
// xfce4-notifyd; a loaded test machine can take longer than that to find
// and click a button. The setting lives in the test session's own xfconf.
func notifydPatience() {
	out, err := exec.Command("xfconf-query", "-c", "xfce4-notifyd", "-p", "/expire-timeout", "-n", "-t", "int", "-s", "60").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "xfconf-query: %v %s (notes expire after 10 s)\n", err, out)
	}
}
