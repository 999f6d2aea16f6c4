package vpnport

import (
	"bytes"
	"os"

	"github.com/traycheck/traycheck/internal/vpnport/procfs"
)

// procLimited reports whether the /proc at root cannot list every process
// of the machine. In the initial PID namespace PID 2 is always the kernel's
// kthreadd; in a container's namespace (or a sandbox's, Flatpak, Snap) it is
// not there or is something else. A procfs mounted with hidepid=2 hides other
// users' processes without an EACCES to notice. Either way an unfound socket
// may have an owner we cannot see.
func procLimited(root string) bool {
	comm, err := readBounded(root+"/2/comm", 64)
	if err != nil || string(bytes.TrimSpace(comm)) != "kthreadd" {
		return true
	}
	b, err := os.ReadFile(root + "/self/mountinfo")
	return err == nil && procfs.HidesPIDs(b, root)
}
