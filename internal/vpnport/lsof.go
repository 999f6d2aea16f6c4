package vpnport

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
)

// lsofProc is one process set of `lsof -F` output: the p/c/u/L/R fields
// and the files that follow it.
type lsofProc struct {
	PID   int
	PPID  int
	UID   uint32
	Login string
	Cmd   string
	Files []lsofFile
}

// lsofFile is one file set: f/t/P/n and the TCP state from T (TST=...).
type lsofFile struct {
	FD    string
	Type  string // IPv4, IPv6, CHR, ...
	Proto string // TCP, UDP
	Name  string
	State string
}

// lsofMax bounds the parse so a huge output (lsof run without a filter)
// cannot grow memory without limit.
const lsofMax = 1 << 16

// parseLsof reads `lsof -F pcuLRftPnT` output: one field per line, the first
// character naming the field. A 'p' line starts a process set, an 'f' line a
// file set within it; unknown fields are skipped so newer lsof versions with
// more fields still parse.
func parseLsof(r io.Reader) ([]lsofProc, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	var out []lsofProc
	files := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		id, v := line[0], line[1:]
		if id == 'p' {
			pid, err := strconv.Atoi(v)
			if err != nil || pid < 0 {
				return nil, fmt.Errorf("lsof output: bad pid %q", v)
			}
			if len(out) == lsofMax {
				return nil, fmt.Errorf("lsof output: more than %d processes", lsofMax)
			}
			out = append(out, lsofProc{PID: pid})
			continue
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("lsof output: field %q before the first process", line)
		}
		p := &out[len(out)-1]
		if id == 'f' {
			if files++; files > lsofMax {
				return nil, fmt.Errorf("lsof output: more than %d files", lsofMax)
			}
			p.Files = append(p.Files, lsofFile{FD: v})
			continue
		}
		var f *lsofFile
		if len(p.Files) > 0 {
			f = &p.Files[len(p.Files)-1]
		}
		switch {
		case id == 'c' && f == nil:
			p.Cmd = v
		case id == 'u' && f == nil:
			uid, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("lsof output: bad uid %q", v)
			}
			p.UID = uint32(uid)
		case id == 'L' && f == nil:
			p.Login = v
		case id == 'R' && f == nil:
			p.PPID, _ = strconv.Atoi(v)
		case id == 't' && f != nil:
			f.Type = v
		case id == 'P' && f != nil:
			f.Proto = v
		case id == 'n' && f != nil:
			f.Name = v
		case id == 'T' && f != nil && strings.HasPrefix(v, "ST="):
			f.State = v[3:]
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading lsof output: %w", err)
	}
	return out, nil
}

// lsofAddrPort parses one side of an lsof internet name: "*:1194",
// "127.0.0.1:1194", "[::1]:1194", "[fe80::1%lo0]:1194". A "*" host is the
// unspecified address of the file's family.
func lsofAddrPort(s, typ string) (netip.AddrPort, bool) {
	return macAddrPort(s, ':', typ == "IPv6")
}

// macAddrPort splits "host<sep>port" at the last sep (lsof writes
// "[::1]:1194", BSD netstat "::1.1194"); a "*" host is the unspecified
// address, IPv6 when v6.
func macAddrPort(s string, sep byte, v6 bool) (netip.AddrPort, bool) {
	i := strings.LastIndexByte(s, sep)
	if i < 0 {
		return netip.AddrPort{}, false
	}
	port, err := strconv.ParseUint(s[i+1:], 10, 16)
	if err != nil {
		return netip.AddrPort{}, false
	}
	host := strings.TrimSuffix(strings.TrimPrefix(s[:i], "["), "]")
	var a netip.Addr
	switch {
	case host == "*" && v6:
		a = netip.IPv6Unspecified()
	case host == "*":
		a = netip.IPv4Unspecified()
	default:
		if a, err = netip.ParseAddr(host); err != nil {
			return netip.AddrPort{}, false
		}
	}
	return netip.AddrPortFrom(a, uint16(port)), true
}

// lsofSocket converts an internet file to a Socket, or ok=false when it is
// not a TCP/UDP socket. -iTCP:N also matches sockets whose remote port is
// N, so callers compare the local port.
func lsofSocket(f lsofFile, pid int, uid uint32) (Socket, bool) {
	var s Socket
	switch f.Proto {
	case "TCP":
		s.Proto, s.State = TCP, State(f.State)
	case "UDP":
		s.Proto, s.State = UDP, StateUnconn
	default:
		return s, false
	}
	local, remote, _ := strings.Cut(f.Name, "->")
	var ok bool
	if s.Local, ok = lsofAddrPort(local, f.Type); !ok {
		return s, false
	}
	if remote != "" {
		s.Remote, _ = lsofAddrPort(remote, f.Type)
		if s.Proto == UDP {
			s.State = StateEstablished
		}
	}
	s.UID, s.PIDs = uid, []int{pid}
	return s, true
}

// lsofFill adds to o the sockets on o's port (or the processes with o's
// device open) and their holders, from parsed lsof output.
func lsofFill(o *Observation, procs []lsofProc) {
	for _, p := range procs {
		held := false
		for _, f := range p.Files {
			if o.Resource.Kind == Device {
				if f.Name == o.Resource.Path {
					held = true
				}
				continue
			}
			s, ok := lsofSocket(f, p.PID, p.UID)
			if ok && s.Proto == o.Resource.Kind && s.Local.Port() == o.Resource.Port {
				o.Sockets = append(o.Sockets, s)
				held = true
			}
		}
		if held {
			o.Holders = append(o.Holders, Holder{PID: p.PID, Name: p.Cmd, User: p.Login, UID: p.UID})
		}
	}
}
