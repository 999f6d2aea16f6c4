package wintable

import (
	"slices"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// ProcessNames reads every process's image name from a Toolhelp snapshot:
// it works for processes of other users and services, where OpenProcess
// fails. The map is never nil.
func ProcessNames() (map[int]string, error) {
	names := map[int]string{}
	snap, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPPROCESS, 0)
	if err != nil {
		return names, err
	}
	defer windows.CloseHandle(snap)
	var e windows.ProcessEntry32
	e.Size = uint32(unsafe.Sizeof(e))
	for err = windows.Process32First(snap, &e); err == nil; err = windows.Process32Next(snap, &e) {
		names[int(e.ProcessID)] = windows.UTF16ToString(e.ExeFile[:])
	}
	return names, nil
}

// Services maps PIDs to the sorted names of the active Win32 services
// running in them. On an error after the first page it returns what it read
// so far with the error.
func Services() (map[int][]string, error) {
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
			return sortServices(out), err
		}
		if n > 0 {
			list := unsafe.Slice((*windows.ENUM_SERVICE_STATUS_PROCESS)(unsafe.Pointer(&buf[0])), n)
			for _, s := range list {
				pid := int(s.ServiceStatusProcess.ProcessId)
				out[pid] = append(out[pid], windows.UTF16PtrToString(s.ServiceName))
			}
		}
		if err == nil {
			return sortServices(out), nil
		}
		if int(need) > len(buf) {
			buf = make([]byte, need)
		}
	}
}

func sortServices(m map[int][]string) map[int][]string {
	for _, names := range m {
		slices.Sort(names)
	}
	return m
}

// ProcessInfo reads what OpenProcess allows of pid: its image path, start
// time and user. Name and Services are left to the caller, who has one
// snapshot of each for many PIDs (ProcessNames, Services).
func ProcessInfo(pid int) Process {
	p := Process{PID: pid}
	proc, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return p
	}
	defer windows.CloseHandle(proc)
	var buf [windows.MAX_LONG_PATH]uint16
	n := uint32(len(buf))
	if windows.QueryFullProcessImageName(proc, 0, &buf[0], &n) == nil {
		p.Exe = windows.UTF16ToString(buf[:n])
	}
	var created, exited, kernel, user windows.Filetime
	if windows.GetProcessTimes(proc, &created, &exited, &kernel, &user) == nil {
		p.Started = time.Unix(0, created.Nanoseconds())
	}
	var tok windows.Token
	if windows.OpenProcessToken(proc, windows.TOKEN_QUERY, &tok) == nil {
		if tu, err := tok.GetTokenUser(); err == nil {
			if acct, dom, _, err := tu.User.Sid.LookupAccount(""); err == nil {
				p.User = dom + `\` + acct
			}
		}
		tok.Close()
	}
	return p
}
