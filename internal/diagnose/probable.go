package diagnose

import (
	"slices"
	"strconv"
	"strings"

	"github.com/traycheck/traycheck/internal/safetext"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// The desktop user's system VPN runs as root, so an unprivileged check sees
// its port held by "a process of user root (PID hidden)". Calling that a
// problem turns the tray red while the VPN works. The probe lists the
// configured clients of the hidden owner's user that run (their cmdline is
// readable); this file guesses which of them holds the port, and only says
// "probably".

// clientPorts are the ports a client binds when nothing names another.
// fixed says its config rarely moves them, so a lone running copy is not
// blamed for an unrelated port.
var clientPorts = map[string]struct {
	ports []uint16
	fixed bool
}{
	"openvpn":        {ports: []uint16{1194}},
	"charon":         {ports: []uint16{500, 4500}, fixed: true},
	"charon-systemd": {ports: []uint16{500, 4500}, fixed: true},
	"xl2tpd":         {ports: []uint16{1701}, fixed: true},
	"wireguard-go":   {ports: []uint16{51820}},
	"vpnc":           {ports: []uint16{500, 4500}, fixed: true},
	// These bind no listening port of their own (pppd and wg-quick
	// leave that to the kernel, starter to charon; openconnect uses an
	// ephemeral one): never the holder of a configured port.
	"pppd":               {fixed: true},
	"wg-quick":           {fixed: true},
	"starter":            {fixed: true},
	"openconnect":        {fixed: true},
	"nm-openvpn-service": {fixed: true},
}

// portOptions are command-line options that set the local port.
var portOptions = []string{"--lport", "--port", "--listen-port", "--local-port"}

// probableHolders picks, among o's candidates, the configured clients that
// probably hold port: those whose command line names the port; else those
// whose usual port it is; else the only running client whose port is not
// fixed elsewhere. It returns nil when nothing fits, and never guesses for a
// port held by more than one hidden user.
func probableHolders(hidden []vpnport.Holder, cands []vpnport.Holder, c Context, port uint16) []vpnport.Holder {
	if len(hidden) != 1 || port == 0 {
		return nil
	}
	var clients []vpnport.Holder
	for _, h := range cands {
		// A socket is its creator's: a daemon that bound as root and
		// dropped to nobody holds a root socket.
		owner := hidden[0].UID
		if (h.UID == owner || owner == 0) && isClient(h, c, port) && !slices.ContainsFunc(clients, func(x vpnport.Holder) bool { return x.PID == h.PID }) {
			clients = append(clients, h)
		}
	}
	var named, usual, open []vpnport.Holder
	for _, h := range clients {
		nums, set := cmdlinePorts(h.Cmdline)
		known, hasKnown := clientPorts[programName(h)]
		switch {
		case slices.Contains(nums, port):
			named = append(named, h)
		case len(set) > 0:
			// It was told to use another port.
		case hasKnown && slices.Contains(known.ports, port):
			usual = append(usual, h)
		case (!hasKnown || !known.fixed) && !usualPortOfOther(programName(h), port, c):
			open = append(open, h)
		}
	}
	var out []vpnport.Holder
	switch {
	case len(named) > 0:
		out = named
	case len(usual) > 0:
		out = usual
	case len(clients) == 1 && len(open) == 1:
		out = open
	}
	out = slices.Clone(out)
	for i := range out {
		out[i].Probable = true
	}
	return out
}

// usualPortOfOther reports whether port is the usual port of another
// configured client: a lone wireguard-go is not blamed for openvpn's 1194.
func usualPortOfOther(name string, port uint16, c Context) bool {
	for prog, k := range clientPorts {
		if prog != name && slices.Contains(k.ports, port) && slices.ContainsFunc(c.VPNClients, func(n string) bool { return strings.EqualFold(n, prog) }) {
			return true
		}
	}
	return false
}

// cmdlinePorts returns every number in the arguments (an ssh -L spec, an
// "--lport 1194", a "host:1194") and, separately, the values of explicit
// local-port options.
func cmdlinePorts(args []string) (nums, set []uint16) {
	for i, a := range args {
		if i == 0 {
			continue // the program's own path
		}
		for _, f := range strings.FieldsFunc(a, func(r rune) bool { return r < '0' || r > '9' }) {
			if n, err := strconv.ParseUint(f, 10, 16); err == nil && n > 0 {
				nums = append(nums, uint16(n))
			}
		}
		for _, opt := range portOptions {
			v, ok := "", false
			switch {
			case a == opt && i+1 < len(args):
				v, ok = args[i+1], true
			case strings.HasPrefix(a, opt+"="):
				v, ok = a[len(opt)+1:], true
			}
			if n, err := strconv.ParseUint(v, 10, 16); ok && err == nil {
				set = append(set, uint16(n))
			}
		}
	}
	return nums, set
}

// probableText names probable holders: "openvpn (PID 4919, user root)", or
// for two copies "charon (PID 10 or PID 11, user root)".
func probableText(hs []vpnport.Holder) string {
	var parts []string
	byName := map[string][]vpnport.Holder{}
	var order []string
	for _, h := range hs {
		n := safetext.Printable(h.Name)
		if _, ok := byName[n]; !ok {
			order = append(order, n)
		}
		byName[n] = append(byName[n], h)
	}
	for _, n := range order {
		group := byName[n]
		pids := make([]string, len(group))
		for i, h := range group {
			pids[i] = "PID " + strconv.Itoa(h.PID)
		}
		parts = append(parts, n+" ("+strings.Join(pids, " or ")+", user "+safetext.Printable(group[0].User)+")")
	}
	return strings.Join(parts, " or ")
}
