package diagnose

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/traycheck/traycheck/internal/safetext"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// Some holders are more than their program name says, and the fix that works
// for them is not "end the process": ssh's ControlMaster carries every session
// multiplexed over it; a systemd service is stopped as a unit; docker-proxy
// is a container's published port; ModemManager grabs every new modem. The
// roles table says, per such role, how to recognise it, what it is, what
// ending it costs, the commands that fit, and whether end-process is offered
// at all. It is data: a row per culprit, tested case by case, and explain
// uses it too (through Diagnose).

// Role ids are stable: they are part of the JSON contract (a holder's "role").
const (
	RoleSSHMuxMaster   = "ssh-mux-master"
	RoleDockerProxy    = "docker-proxy"
	RoleIPsecStack     = "ipsec-stack"
	RoleModemManager   = "modem-manager"
	RoleBrailleDriver  = "braille-driver"
	RoleHTTPSys        = "http-sys"
	RoleICS            = "internet-connection-sharing"
	RolePortProxy      = "port-proxy"
	RoleAirPlay        = "airplay-receiver"
	RoleAnyConnectWSA  = "anyconnect-web-security"
	RoleSystemdService = "systemd-service"
)

// roleMatch is what a role's match found out about one holder.
type roleMatch struct {
	// path is the ssh control socket; spec the -L spec that opened the
	// resource's port, when the command line still shows it.
	path, spec string
	// name is what the row's texts name: a unit, a container, an IPsec
	// daemon, a USB device's ids.
	name string
}

type role struct {
	id    string
	match func(h vpnport.Holder, o vpnport.Observation) (roleMatch, bool)
	// what names the role: "ssh's background connection master ...".
	what func(m roleMatch) string
	// cost says what ending the holder takes with it.
	cost string
	// commands are what the user can run instead of ending the process;
	// advice is a format with one %s per command saying what each does.
	commands func(m roleMatch, r vpnport.Resource) []string
	advice   string
	// noEnd: ending the process is not the fix (the service or daemon is
	// started again, or it breaks what runs behind it): end-process is not
	// offered; the commands are.
	noEnd bool
}

var roles = []role{{
	id:    RoleSSHMuxMaster,
	match: func(h vpnport.Holder, o vpnport.Observation) (roleMatch, bool) { return matchSSHMux(h, o.Resource) },
	what: func(m roleMatch) string {
		return "ssh's background connection master (ControlMaster, control path " + safetext.Printable(m.path) + "), which keeps its forwards open after the ssh command that set them up has ended"
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
}, {
	id: RoleDockerProxy,
	match: func(h vpnport.Holder, o vpnport.Observation) (roleMatch, bool) {
		if _, ok := vpnport.ParseDockerProxy(h.Cmdline); !ok && programName(h) != "docker-proxy" {
			return roleMatch{}, false
		}
		return roleMatch{name: h.Container}, true
	},
	what: func(m roleMatch) string {
		if m.name == "" {
			return "Docker's port proxy for a container's published port"
		}
		return "Docker's port proxy for the published port of container " + safetext.Printable(m.name)
	},
	cost:  "Ending it leaves the container running with a broken port; Docker does not start it again until the container restarts.",
	noEnd: true,
	commands: func(m roleMatch, r vpnport.Resource) []string {
		name, _, _ := strings.Cut(m.name, " (")
		if name == "" || strings.Contains(name, ":") {
			return []string{"docker ps --filter publish=" + strconv.Itoa(int(r.Port))}
		}
		return []string{"docker stop " + shellQuote(name)}
	},
	advice: "Stop the container (`%s`) or publish it on another port.",
}, {
	id: RoleIPsecStack,
	match: func(h vpnport.Holder, o vpnport.Observation) (roleMatch, bool) {
		if o.Resource.Kind != vpnport.UDP || (o.Resource.Port != 500 && o.Resource.Port != 4500) {
			return roleMatch{}, false
		}
		if n, ok := ipsecStacks[programName(h)]; ok {
			return roleMatch{name: n}, true
		}
		return roleMatch{}, false
	},
	what: func(m roleMatch) string { return "another IPsec stack (" + m.name + ")" },
	cost: "Two IPsec stacks cannot share udp/500 and udp/4500: only one of them can run at a time.",
	commands: func(m roleMatch, r vpnport.Resource) []string {
		return nil
	},
	advice: "Stop the stack you do not use (its service, or its own stop command), then retry.",
}, {
	id: RoleModemManager,
	match: func(h vpnport.Holder, o vpnport.Observation) (roleMatch, bool) {
		if o.Resource.Kind != vpnport.Device || programName(h) != "ModemManager" {
			return roleMatch{}, false
		}
		return roleMatch{name: o.USBID}, true
	},
	what: func(m roleMatch) string {
		return "ModemManager, which opens every modem-like serial device as it appears to probe it as a mobile broadband modem"
	},
	cost:  "Ending it only helps until it starts again; it grabs the device once more on the next plug-in.",
	noEnd: true,
	commands: func(m roleMatch, r vpnport.Resource) []string {
		vid, pid, ok := strings.Cut(m.name, ":")
		if !ok {
			vid, pid = "VENDOR", "PRODUCT"
		}
		return []string{
			`echo 'ATTRS{idVendor}=="` + vid + `", ATTRS{idProduct}=="` + pid + `", ENV{ID_MM_DEVICE_IGNORE}="1"' | sudo tee /etc/udev/rules.d/77-traycheck-mm-ignore.rules && sudo udevadm control --reload && sudo udevadm trigger`,
		}
	},
	advice: "Tell ModemManager to leave this device alone with a udev rule: `%s`, then unplug and replug it.",
}, {
	id: RoleBrailleDriver,
	match: func(h vpnport.Holder, o vpnport.Observation) (roleMatch, bool) {
		return roleMatch{}, o.Resource.Kind == vpnport.Device && programName(h) == "brltty"
	},
	what: func(roleMatch) string {
		return "brltty, the Braille display driver, which claims USB serial adapters whose chip a Braille display also uses"
	},
	cost:     "Ending it only helps until the device is plugged in again.",
	noEnd:    true,
	commands: func(roleMatch, vpnport.Resource) []string { return []string{"sudo apt remove brltty"} },
	advice:   "If no Braille display is used on this machine, remove it (`%s`, or your distribution's equivalent) and replug the device.",
}, {
	id: RoleHTTPSys,
	match: func(h vpnport.Holder, o vpnport.Observation) (roleMatch, bool) {
		return roleMatch{}, h.Kernel && h.PID == 4 && o.Resource.Kind == vpnport.TCP
	},
	what: func(roleMatch) string {
		return "HTTP.sys, Windows' kernel HTTP server, on behalf of a service that registered the port"
	},
	cost:     "It cannot be ended; the service that registered the URL must release it.",
	noEnd:    true,
	commands: func(roleMatch, vpnport.Resource) []string { return []string{"netsh http show servicestate"} },
	advice:   "Run `%s` as administrator to see which service registered it, then stop or reconfigure that service.",
}, {
	id: RoleICS,
	match: func(h vpnport.Holder, o vpnport.Observation) (roleMatch, bool) {
		return roleMatch{}, strings.EqualFold(h.Service, "SharedAccess")
	},
	what: func(roleMatch) string {
		return "Internet Connection Sharing (the SharedAccess service), which takes the IKE and DNS ports for the network it shares"
	},
	cost:     "Ending svchost would end every service in it.",
	noEnd:    true,
	commands: func(roleMatch, vpnport.Resource) []string { return []string{"net stop SharedAccess"} },
	advice:   "Turn off sharing on the adapter, or stop the service as administrator: `%s`.",
}, {
	id: RolePortProxy,
	match: func(h vpnport.Holder, o vpnport.Observation) (roleMatch, bool) {
		return roleMatch{}, strings.EqualFold(h.Service, "iphlpsvc")
	},
	what:     func(roleMatch) string { return "the IP Helper service's port proxy (netsh interface portproxy)" },
	cost:     "Ending svchost would end every service in it.",
	noEnd:    true,
	commands: func(m roleMatch, r vpnport.Resource) []string { return []string{"netsh interface portproxy show all"} },
	advice:   "List the proxies with `%s` and delete the one on this port (`netsh interface portproxy delete v4tov4 listenport=PORT`), as administrator.",
}, {
	id: RoleAirPlay,
	match: func(h vpnport.Holder, o vpnport.Observation) (roleMatch, bool) {
		return roleMatch{}, programName(h) == "ControlCenter" && o.Resource.Kind == vpnport.TCP && (o.Resource.Port == 5000 || o.Resource.Port == 7000)
	},
	what:     func(roleMatch) string { return "macOS's AirPlay Receiver (in ControlCenter)" },
	cost:     "macOS starts ControlCenter again at once.",
	noEnd:    true,
	commands: func(roleMatch, vpnport.Resource) []string { return nil },
	advice:   "Turn it off in System Settings > General > AirDrop & Handoff > AirPlay Receiver, or use another port.",
}, {
	id: RoleAnyConnectWSA,
	match: func(h vpnport.Holder, o vpnport.Observation) (roleMatch, bool) {
		return roleMatch{}, programName(h) == "acwebsecagent"
	},
	what:     func(roleMatch) string { return "Cisco AnyConnect's Web Security agent" },
	cost:     "AnyConnect starts it again.",
	noEnd:    true,
	commands: func(roleMatch, vpnport.Resource) []string { return nil },
	advice:   "Use another port, or ask your administrator to disable the Web Security module.",
}, {
	// Last: any other process that runs as a systemd service.
	id: RoleSystemdService,
	match: func(h vpnport.Holder, o vpnport.Observation) (roleMatch, bool) {
		m := roleMatch{name: h.Unit, spec: "sudo systemctl"}
		if h.UserUnit {
			m.spec = "systemctl --user" // the user's own service manager
		}
		return m, h.Unit != ""
	},
	what: func(m roleMatch) string {
		if m.spec != "sudo systemctl" {
			return "your systemd user service " + safetext.Printable(m.name)
		}
		return "the systemd service " + safetext.Printable(m.name)
	},
	cost: "Ending only its process leaves the service failed, or systemd starts it again, as its Restart= setting says.",
	commands: func(m roleMatch, r vpnport.Resource) []string {
		return []string{m.spec + " stop " + shellQuote(m.name), m.spec + " disable " + shellQuote(m.name)}
	},
	advice: "Stop the service instead: `%s` (and `%s` to keep it from starting at boot).",
}}

// ipsecStacks are IKE daemons by process name, with what to call them.
var ipsecStacks = map[string]string{
	"pluto":          "libreswan's pluto",
	"charon":         "strongSwan's charon",
	"charon-nm":      "strongSwan's charon-nm for NetworkManager",
	"charon-systemd": "strongSwan's charon-systemd",
	"racoon":         "ipsec-tools' racoon",
	"iked":           "OpenIKED",
	"vpnserver":      "SoftEther's VPN server",
	"vpnbridge":      "SoftEther's VPN bridge",
}

// holderRole finds the first holder of f that plays a role, with what the
// role's texts need.
func holderRole(hs []vpnport.Holder, o vpnport.Observation) (role, vpnport.Holder, roleMatch, bool) {
	for _, h := range hs {
		if h.Hidden || h.Probable || (h.Kernel && h.PID != 4) {
			continue
		}
		for _, rl := range roles {
			if m, ok := rl.match(h, o); ok {
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
	s = safetext.Printable(s)
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-:%@+=,[]", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// applyRole marks each holder that plays a role with its id, and records
// the commands that fit the first one; a role that ending cannot fix takes
// end-process out of the actions.
func applyRole(f *Finding, o vpnport.Observation) {
	switch f.Cause {
	case OtherApp, SameAppInstance, VPNClient, StaleAfterWake, KernelOwned:
	default:
		return
	}
	for i, h := range f.Holders {
		if rl, _, _, ok := holderRole([]vpnport.Holder{h}, o); ok {
			f.Holders[i].Role = rl.id
		}
	}
	rl, _, m, ok := holderRole(f.Holders, o)
	if !ok {
		return
	}
	f.Commands = rl.commands(m, f.Resource)
	if rl.noEnd {
		f.Actions = slices.DeleteFunc(f.Actions, func(a Action) bool { return a == EndProcess })
	}
}

// roleMessage is the message for a finding whose holder plays a role: what
// the holder is, what ending it costs, and the commands that fit.
func roleMessage(f Finding, o vpnport.Observation) string {
	rl, h, m, ok := holderRole(f.Holders, o)
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
