package vpnport

import (
	"github.com/traycheck/traycheck/internal/vpnport/procfs"
)

// linuxHolders turns procfs's process records into Holders; the Reader's
// buffers and caches live as long as the prober.
type linuxHolders struct {
	procfs.Reader
}

// holder describes pid, or returns ok=false if the process is gone or, with
// start != 0, is no longer the process that started then (see
// procfs.Reader.Process).
func (h *linuxHolders) holder(pid int, start uint64) (Holder, bool) {
	p, ok := h.Process(pid, start)
	if !ok {
		return Holder{}, false
	}
	hd := Holder{
		PID:      p.PID,
		Name:     p.Comm,
		Exe:      p.Exe,
		User:     p.User,
		UID:      p.UID,
		Started:  p.Started,
		Cmdline:  p.Cmdline,
		Unit:     p.Unit,
		UserUnit: p.UserUnit,
	}
	if hd.Cmdline == nil {
		hd.Cmdline = []string{}
	}
	addContainer(&hd)
	return hd, true
}
