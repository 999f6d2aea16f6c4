package diagnose

import (
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// Issue 25 item 7: the hidden-owner advice gives the command to run, not
// only "Check as administrator".
func TestHiddenOwnerGivesTheCommand(t *testing.T) {
	r := vpnport.Resource{Kind: vpnport.UDP, Port: 1194}
	f := Finding{Resource: r, Cause: HiddenOwner, Holders: []vpnport.Holder{{Hidden: true, User: "root"}}}
	for os, want := range map[string]string{
		"linux":   "`sudo traycheck check udp/1194`",
		"darwin":  "`sudo traycheck check udp/1194`",
		"windows": "`traycheck check udp/1194` in an administrator terminal",
	} {
		old := goos
		goos = os
		msg := message(f, vpnport.Observation{})
		goos = old
		if !strings.Contains(msg, want) {
			t.Errorf("%s: %q lacks %q", os, msg, want)
		}
	}
}
