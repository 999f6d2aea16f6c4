package vpnport

import (
	"log/slog"
	"strings"

	"github.com/traycheck/traycheck/internal/vpnport/wintable"
)

// winProcs describes the processes behind socket PIDs for one probe: one
// Toolhelp snapshot for names, one service enumeration when a shared
// svchost.exe is among them, and per-PID details read once.
type winProcs struct {
	names    map[int]string
	services map[int][]string // nil until first needed
	cache    map[int]Holder
}

func newWinProcs() *winProcs { return &winProcs{cache: map[int]Holder{}} }

func (p *winProcs) close() {}

// holder describes pid. Fields the caller may not read (another user's or a
// protected process) stay empty; the PID and image name are always known.
func (p *winProcs) holder(pid int) Holder {
	if h, ok := p.cache[pid]; ok {
		return h
	}
	if p.names == nil {
		var err error
		if p.names, err = wintable.ProcessNames(); err != nil {
			slog.Debug("process snapshot", "err", err)
		}
	}
	if pid == wintable.PIDSystem {
		h := winKernelHolder(p.names[pid])
		p.cache[pid] = h
		return h
	}
	proc := wintable.ProcessInfo(pid)
	proc.Name = p.names[pid]
	if strings.EqualFold(proc.Name, "svchost.exe") {
		if p.services == nil {
			var err error
			if p.services, err = wintable.Services(); err != nil {
				slog.Debug("enumerating services", "err", err)
			}
		}
		proc.Services = p.services[pid]
	}
	h := winHolder(proc)
	p.cache[pid] = h
	return h
}
