package freeport

import (
	"path/filepath"
	"strconv"
	"strings"

	"github.com/traycheck/traycheck/internal/portnum"
)

// Forward is one local forward (-L) of an ssh command line.
type Forward struct {
	// Arg is the index in argv of the argument holding the spec, and Off
	// the spec's offset inside it ("-L8080:..." has Off 2).
	Arg, Off int
	// Spec is the forward as written: [bind_address:]port:host:hostport,
	// [bind_address:]port:remote_socket.
	Spec string
	// Bind is the bind address without brackets; empty means ssh's default
	// (localhost, unless GatewayPorts).
	Bind string
	Port uint16
	// portAt, portLen locate the port's digits inside Spec.
	portAt, portLen int
}

// sshArgFlags are OpenSSH's options that take an argument (from ssh.c's
// getopt string): in "-fNL 8080:..." the L takes the next argument, in
// "-p2222" the p takes the rest.
const sshArgFlags = "bceilmopBDEFIJLOPQRSwW"

// IsSSH reports whether argv runs OpenSSH's ssh client.
func IsSSH(argv []string) bool {
	if len(argv) == 0 {
		return false
	}
	// Backslashes first: a Windows path seen on Linux is not split by
	// filepath.Base.
	name := argv[0][strings.LastIndexByte(argv[0], '\\')+1:]
	name = strings.ToLower(filepath.Base(name))
	return name == "ssh" || name == "ssh.exe"
}

// SSHForwards lists the -L forwards of an ssh command line, parsed the way
// ssh parses its options: grouped flags, an attached or separate argument,
// and options after the destination (ssh reads those too). Forwards to or from
// a Unix socket path have no local port and are left out; so are forwards
// given as -o LocalForward.
func SSHForwards(argv []string) []Forward {
	if !IsSSH(argv) {
		return nil
	}
	var out []Forward
	sawHost := false
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		if a == "--" {
			break
		}
		if len(a) < 2 || a[0] != '-' {
			if sawHost {
				break // the remote command begins
			}
			sawHost = true
			continue
		}
		for j := 1; j < len(a); j++ {
			if !strings.ContainsRune(sshArgFlags, rune(a[j])) {
				continue
			}
			arg, off := i, j+1
			if j+1 == len(a) {
				if i+1 >= len(argv) {
					return out
				}
				i++
				arg, off = i, 0
			}
			if a[j] == 'L' {
				if f, ok := parseForward(argv[arg][off:]); ok {
					f.Arg, f.Off = arg, off
					out = append(out, f)
				}
			}
			break
		}
	}
	return out
}

// parseForward splits a -L spec on colons outside brackets ("[::1]:8080:..."
// keeps the IPv6 address whole) and finds the local port.
func parseForward(spec string) (Forward, bool) {
	type field struct{ at, end int }
	var fs []field
	start, depth := 0, 0
	for i := 0; i < len(spec); i++ {
		switch spec[i] {
		case '[':
			depth++
		case ']':
			depth--
		case ':':
			if depth == 0 {
				fs = append(fs, field{start, i})
				start = i + 1
			}
		}
	}
	fs = append(fs, field{start, len(spec)})
	text := func(k int) string { return spec[fs[k].at:fs[k].end] }
	var bind, port int
	switch {
	case len(fs) >= 4: // bind:port:host:hostport
		bind, port = 0, 1
	case len(fs) == 3 && isPort(text(0)): // port:host:hostport
		bind, port = -1, 0
	case len(fs) == 3: // bind:port:remote_socket
		bind, port = 0, 1
	case len(fs) == 2: // port:remote_socket
		bind, port = -1, 0
	default:
		return Forward{}, false
	}
	n, err := portnum.Parse(text(port))
	if err != nil {
		return Forward{}, false
	}
	f := Forward{Spec: spec, Port: n, portAt: fs[port].at, portLen: fs[port].end - fs[port].at}
	if bind >= 0 {
		f.Bind = strings.TrimSuffix(strings.TrimPrefix(text(bind), "["), "]")
	}
	return f, true
}

// isPort reports whether s is a port by the one rule (internal/portnum):
// "8080:db:5432" starts with one, "[::1]:8080:db:5432" and "db:5432" do not.
func isPort(s string) bool {
	_, err := portnum.Parse(s)
	return err == nil
}

// RewriteSSH returns a copy of an ssh command line whose local forward on
// port from listens on port to instead, leaving every other argument and
// every other part of the spec as written. ok is false when argv is not ssh
// or has no -L forward on from.
func RewriteSSH(argv []string, from, to uint16) (out []string, ok bool) {
	out = append([]string(nil), argv...)
	if to == 0 {
		return out, false
	}
	for _, f := range SSHForwards(argv) {
		if f.Port != from {
			continue
		}
		spec := f.Spec[:f.portAt] + strconv.Itoa(int(to)) + f.Spec[f.portAt+f.portLen:]
		out[f.Arg] = out[f.Arg][:f.Off] + spec
		ok = true
	}
	return out, ok
}

// FormatArgv renders argv for a person to read and copy into a POSIX shell:
// arguments with spaces or shell characters are single-quoted. It is for
// display only; traycheck never runs a shell.
func FormatArgv(argv []string) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.IndexFunc(a, func(r rune) bool { return !safeShellRune(r) }) < 0 {
			parts[i] = a
			continue
		}
		parts[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(parts, " ")
}

func safeShellRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+%", r)
}
