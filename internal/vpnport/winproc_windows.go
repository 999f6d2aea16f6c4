package vpnport

import (
	"log/slog"
	"slices"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
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

// snapshot reads every process's image name from a Toolhelp snapshot: it
// works for processes of other users and services, where OpenProcess fails.
func (p *winProcs) snapshot() {
	p.names = map[int]string{}
	snap, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPPROCESS, 0)
	if err != nil {
		slog.Debug("process snapshot", "err", err)
		return
	}
	defer windows.CloseHandle(snap)
	var e windows.ProcessEntry32
	e.Size = uint32(unsafe.Sizeof(e))
	for err = windows.Process32First(snap, &e); err == nil; err = windows.Process32Next(snap, &e) {
		p.names[int(e.ProcessID)] = windows.UTF16ToString(e.ExeFile[:])
	}
}

// winServices maps PIDs to the names of the Win32 services running in them.
func winServices() (map[int][]string, error) {
	m, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_ENUMERATE_SERVICE)
	if err != nil {
		return nil, err
	}
	defer windows.CloseServiceHandle(m)
	out := map[int][]string{}
	buf := make([]byte, 64<<10)
	var resume uint32
	for {
		var need, n uint32
		err := windows.EnumServicesStatusEx(m, windows.SC_ENUM_PROCESS_INFO, windows.SERVICE_WIN32,
			windows.SERVICE_ACTIVE, &buf[0], uint32(len(buf)), &need, &n, &resume, nil)
		if err != nil && err != windows.ERROR_MORE_DATA {
			return out, err
		}
		if n > 0 {
			list := unsafe.Slice((*windows.ENUM_SERVICE_STATUS_PROCESS)(unsafe.Pointer(&buf[0])), n)
			for _, s := range list {
				pid := int(s.ServiceStatusProcess.ProcessId)
				out[pid] = append(out[pid], windows.UTF16PtrToString(s.ServiceName))
			}
		}
		if err == nil {
			return out, nil
		}
		if int(need) > len(buf) {
			buf = make([]byte, need)
		}
	}
}

// holder describes pid. Fields the caller may not read (another user's or a
// protected process) stay empty; the PID and image name are always known.
func (p *winProcs) holder(pid int) Holder {
	if h, ok := p.cache[pid]; ok {
		return h
	}
	if p.names == nil {
		p.snapshot()
	}
	h := Holder{PID: pid, Name: p.names[pid]}
	if pid == winPIDSystem {
		h = winKernelHolder(h.Name)
		p.cache[pid] = h
		return h
	}
	if strings.EqualFold(h.Name, "svchost.exe") {
		if p.services == nil {
			var err error
			if p.services, err = winServices(); err != nil {
				slog.Debug("enumerating services", "err", err)
			}
		}
		svcs := slices.Clone(p.services[pid])
		slices.Sort(svcs)
		h.Service = strings.Join(svcs, ",")
	}
	proc, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err == nil {
		defer windows.CloseHandle(proc)
		var buf [windows.MAX_LONG_PATH]uint16
		n := uint32(len(buf))
		if windows.QueryFullProcessImageName(proc, 0, &buf[0], &n) == nil {
			h.Exe = windows.UTF16ToString(buf[:n])
		}
		var created, exited, kernel, user windows.Filetime
		if windows.GetProcessTimes(proc, &created, &exited, &kernel, &user) == nil {
			h.Started = time.Unix(0, created.Nanoseconds())
		}
		var tok windows.Token
		if windows.OpenProcessToken(proc, windows.TOKEN_QUERY, &tok) == nil {
			if tu, err := tok.GetTokenUser(); err == nil {
				if acct, dom, _, err := tu.User.Sid.LookupAccount(""); err == nil {
					h.User = dom + `\` + acct
				}
			}
			tok.Close()
		}
	}
	p.cache[pid] = h
	return h
}
