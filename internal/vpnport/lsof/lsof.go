// Package lsof reads the output of `lsof -F` and of macOS's `netstat -anv`
// into its own records (Proc, File, TimeWait); vpnport turns them into
// sockets and holders. The parsers have no OS suffix so the recorded macOS
// output in testdata is tested everywhere; vpnport's darwin file runs the
// commands.
package lsof

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
)

// Proc is one process set of `lsof -F` output: the p/c/u/L/R fields
// and the files that follow it.
type Proc struct {
	PID   int
	PPID  int
	UID   uint32
	Login string
	Cmd   string
	Files []File
}

// File is one file set: f/t/P/n and the TCP state from T (TST=...).
type File struct {
	FD    string
	Type  string // IPv4, IPv6, CHR, ...
	Proto string // TCP, UDP
	Name  string
	State string
}

// Max bounds each parse so a huge output (lsof run without a filter)
// cannot grow memory without limit.
const Max = 1 << 16

// Parse reads `lsof -F pcuLRftPnT` output: one field per line, the first
// character naming the field. A 'p' line starts a process set, an 'f' line a
// file set within it; unknown fields are skipped so newer lsof versions with
// more fields still parse.
func Parse(r io.Reader) ([]Proc, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	var out []Proc
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
			if len(out) == Max {
				return nil, fmt.Errorf("lsof output: more than %d processes", Max)
			}
			out = append(out, Proc{PID: pid})
			continue
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("lsof output: field %q before the first process", line)
		}
		p := &out[len(out)-1]
		if id == 'f' {
			if files++; files > Max {
				return nil, fmt.Errorf("lsof output: more than %d files", Max)
			}
			p.Files = append(p.Files, File{FD: v})
			continue
		}
		var f *File
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

// Addrs returns an internet file's local address and, when connected, its
// remote one ("127.0.0.1:1194->10.0.0.2:51000"); ok is false when the name
// is not an address.
func (f File) Addrs() (local, remote netip.AddrPort, ok bool) {
	l, r, _ := strings.Cut(f.Name, "->")
	if local, ok = lsofAddrPort(l, f.Type); !ok {
		return local, remote, false
	}
	if r != "" {
		remote, _ = lsofAddrPort(r, f.Type)
	}
	return local, remote, true
}

// Connected reports whether the name has a remote side, parsed or not.
func (f File) Connected() bool {
	_, r, _ := strings.Cut(f.Name, "->")
	return r != ""
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

// TimeWait is one TIME_WAIT TCP socket netstat lists.
type TimeWait struct {
	Local, Remote netip.AddrPort
}

// ParseNetstatTimeWait reads `netstat -anv -p tcp` (macOS) and returns the
// TIME_WAIT sockets whose local port is in ports. Only the first six columns
// are read (proto, queues, local, foreign, state); later columns differ
// between macOS releases and may contain spaces (process names).
func ParseNetstatTimeWait(r io.Reader, ports map[uint16]bool) ([]TimeWait, error) {
	var dst []TimeWait
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 || !strings.HasPrefix(f[0], "tcp") || f[5] != "TIME_WAIT" {
			continue
		}
		local, ok1 := netstatAddrPort(f[3], f[0])
		remote, ok2 := netstatAddrPort(f[4], f[0])
		if !ok1 || !ok2 || !ports[local.Port()] {
			continue
		}
		if len(dst) >= Max {
			return dst, fmt.Errorf("netstat output: more than %d TIME_WAIT sockets", Max)
		}
		dst = append(dst, TimeWait{Local: local, Remote: remote})
	}
	if err := sc.Err(); err != nil {
		return dst, fmt.Errorf("reading netstat output: %w", err)
	}
	return dst, nil
}

// netstatAddrPort parses BSD netstat's "addr.port" ("127.0.0.1.1194",
// "fe80::1%lo0.1194", "*.22").
func netstatAddrPort(s, proto string) (netip.AddrPort, bool) {
	return macAddrPort(s, '.', proto != "tcp4")
}
