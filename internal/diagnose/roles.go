package diagnose

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// Some holders are more than their program name says: ssh's ControlMaster
// is an ssh, but ending it ends every session multiplexed over it, and ssh
// itself can drop just one forward. The roles table says, per such role,
// how to recognise it, what it is, what ending it costs and the commands
// that fit. Later rows (systemd units, docker-proxy, ModemManager, IPsec
// stacks) go here too.

// Role ids are stable: they are part of the JSON contract ("role").
const (
	RoleSSHMuxMaster = "ssh-mux-master"
)

// roleMatch is what a role's match found out about one holder.
type roleMatch struct {
	// path is the ssh control socket; spec the -L spec that opened the
	// resource's port, when the command line still shows it.
	path, spec string
}

type role struct {
	id    string
	match func(h vpnport.Holder, r vpnport.Resource) (roleMatch, bool)
	// what names the role: "ssh's background connection master ...".
	what func(m roleMatch) string
	// cost says what ending the holder takes with it.
	cost string
	// commands are what the user can run instead of ending the process;
	// advice is a format with one %s per command saying what each does.
	commands func(m roleMatch, r vpnport.Resource) []string
	advice   string
}

var roles = []role{{
	id:    RoleSSHMuxMaster,
	match: matchSSHMux,
	what: func(m roleMatch) string {
		return "ssh's background connection master (ControlMaster, control path " + Printable(m.path) + "), which keeps its forwards open after the ssh command that set them up has ended"
	},
	cost:   "Ending it ends every ssh session over it.",
	advice: "To free only this port, run `%s`; to end the master and every session over it, `%s`.",
	commands: func(m roleMatch, r vpnport.Resource) []string {
		spec := m.spec
		if spec == "" {
			// The master's title no longer shows its -L spec, and
			// cancel needs it exactly as given.
			spec = strconv.Itoa(int(r.Port)) + ":HOST:HOSTPORT"
		}
		p := shellQuote(m.path)
		return []string{
			"ssh -S " + p + " -O cancel -L " + shellQuote(spec) + " x",
			"ssh -S " + p + " -O exit x",
		}
	},
}}

// holderRole finds the first holder of f that plays a role, with what the
// role's texts need.
func holderRole(hs []vpnport.Holder, r vpnport.Resource) (role, vpnport.Holder, roleMatch, bool) {
	for _, h := range hs {
		if h.Hidden || h.Kernel || h.Probable {
			continue
		}
		for _, rl := range roles {
			if m, ok := rl.match(h, r); ok {
				return rl, h, m, true
			}
		}
	}
	return role{}, vpnport.Holder{}, roleMatch{}, false
}

// matchSSHMux recognises ssh's ControlMaster in both shapes it runs in:
// backgrounded by ControlPersist, ssh retitles itself "ssh: PATH [mux]" (the
// -L spec is gone); started as `ssh -M -S PATH -fN -L ...` it keeps its
// command line.
func matchSSHMux(h vpnport.Holder, r vpnport.Resource) (roleMatch, bool) {
	if programName(h) != "ssh" || len(h.Cmdline) == 0 {
		return roleMatch{}, false
	}
	if len(h.Cmdline) == 1 {
		t := h.Cmdline[0]
		if p, ok := strings.CutPrefix(t, "ssh: "); ok {
			if p, ok = strings.CutSuffix(strings.TrimRight(p, " "), " [mux]"); ok && p != "" {
				return roleMatch{path: p}, true
			}
		}
		return roleMatch{}, false
	}
	var m roleMatch
	master := false
	args := h.Cmdline[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || len(a) < 2 || a[0] != '-' {
			break // the destination: what follows is the remote command
		}
		// A flag cluster (-MfN), possibly ending in an option that takes
		// a value, attached (-L8080:...) or as the next argument.
		for j := 1; j < len(a); j++ {
			c := a[j]
			if strings.IndexByte(sshValueOpts, c) < 0 {
				master = master || c == 'M'
				continue
			}
			v := a[j+1:]
			if v == "" && i+1 < len(args) {
				i++
				v = args[i]
			}
			switch c {
			case 'S':
				m.path = v
			case 'L':
				if forwardPort(v) == r.Port {
					m.spec = v
				}
			case 'o':
				k, val, _ := strings.Cut(strings.Replace(v, " ", "=", 1), "=")
				switch strings.ToLower(k) {
				case "controlmaster":
					val = strings.ToLower(val)
					master = master || val == "yes" || val == "auto" || strings.HasSuffix(val, "ask")
				case "controlpath":
					m.path = val
				}
			}
			break
		}
	}
	if !master || m.path == "" || strings.EqualFold(m.path, "none") {
		return roleMatch{}, false
	}
	return m, true
}

// sshValueOpts are ssh's options that take a value (ssh(1) SYNOPSIS).
const sshValueOpts = "BbcDEeFIiJLlmOopQRSWw"

// forwardPort is the local port of an -L spec: "8080:db:5432",
// "127.0.0.1:8080:db:5432", "[::1]:8080:db:5432"; 0 when there is none.
func forwardPort(spec string) uint16 {
	f := strings.Split(spec, ":")
	if strings.HasPrefix(spec, "[") {
		if i := strings.Index(spec, "]:"); i > 0 {
			f = append([]string{spec[:i+1]}, strings.Split(spec[i+2:], ":")...)
		}
	}
	var p string
	switch len(f) {
	case 3:
		p = f[0]
	case 4:
		p = f[1]
	default:
		return 0
	}
	n, err := strconv.ParseUint(p, 10, 16)
	if err != nil {
		return 0
	}
	return uint16(n)
}

// shellQuote quotes s for a POSIX shell when it needs it, so a control
// path with spaces can be pasted; printable either way.
func shellQuote(s string) string {
	s = Printable(s)
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-:%@+=,[]", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// applyRole records the role of f's holder, if one plays a role, and the
// commands that fit it.
func applyRole(f *Finding) {
	switch f.Cause {
	case OtherApp, SameAppInstance, VPNClient, StaleAfterWake:
	default:
		return
	}
	rl, _, m, ok := holderRole(f.Holders, f.Resource)
	if !ok {
		return
	}
	f.Role = rl.id
	f.Commands = rl.commands(m, f.Resource)
}

// roleMessage is the message for a finding whose holder plays a role: what
// the holder is, what ending it costs, and the commands that fit.
func roleMessage(f Finding) string {
	rl, h, m, ok := holderRole(f.Holders, f.Resource)
	if !ok {
		return ""
	}
	r := f.Resource.String()
	if f.Cause == VPNClient {
		return r + " is held by the VPN client " + HolderText(h) + ", as expected: " + rl.what(m) + ". " + rl.cost
	}
	cmds := make([]any, len(f.Commands))
	for i, c := range f.Commands {
		cmds[i] = c
	}
	return r + " is held by " + HolderText(h) + ", " + rl.what(m) + ". " + rl.cost + " " + fmt.Sprintf(rl.advice, cmds...)
}
