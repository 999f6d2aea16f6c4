package diagnose

import (
	"fmt"
	"slices"
	"strings"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// A program that fails to bind its port because a copy of itself already
// holds it is not fighting another program, and its holder is not "the VPN
// client, as expected": the user started a second copy (a second charon, a
// second WireGuard tunnel with the same ListenPort, a second openvpn with
// the same lport). The running copy is very likely the user's working VPN,
// so the fix is never to end it: use it, or give the new one another port.

// programFamilies maps process and program names to one family, so that
// wireguard-go and wg (and wg-quick) are one program, as are charon and
// charon-systemd. Names not listed are their own family.
var programFamilies = map[string]string{
	"wireguard-go": ProgWireGuard, "wg": ProgWireGuard, "wg-quick": ProgWireGuard, "boringtun": ProgWireGuard,
	"boringtun-cli": ProgWireGuard, "wireguard": ProgWireGuard,
	"charon": ProgCharon, "charon-systemd": ProgCharon, "starter": ProgCharon, "ipsec": ProgCharon, "strongswan": ProgCharon,
	"ocserv": ProgOcserv, "ocserv-main": ProgOcserv, "ocserv-worker": ProgOcserv, "ocserv-sm": ProgOcserv,
	"tincd": ProgTinc, "tinc": ProgTinc,
	"openvpn": ProgOpenVPN,
	"xl2tpd":  ProgXL2TPD,
}

// tunnelFamilies are the VPN families whose second copy is a second tunnel.
var tunnelFamilies = []string{ProgWireGuard, ProgCharon, ProgOcserv, ProgTinc, ProgOpenVPN, ProgXL2TPD}

// noSecondCopy are families whose copies have their own rules: an ssh
// holding an ssh forward's port is the leftover forward (causes.md #2, and
// roles.go for its ControlMaster), Windows RAS and Docker name no process
// of their own.
var noSecondCopy = []string{ProgSSH, "sshd", ProgRAS, ProgDocker, "docker-proxy", ""}

// ProgramFamily is the family a program or process name belongs to
// ("wireguard-go" -> "wireguard"), or the name itself in lower case.
func ProgramFamily(name string) string {
	n := strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(name, ".exe"), ".EXE"))
	if f, ok := programFamilies[n]; ok {
		return f
	}
	return n
}

// SecondCopy re-judges a finding when the caller knows which program just
// failed to get its resource: program is a program family as Match.Program
// gives it ("charon", "wireguard", "openvpn") or a process name
// ("wireguard-go", "charon-systemd"). When a live holder is that program (or
// of its VPN family: a second tunnel of wireguard/openvpn/ocserv/tinc/charon),
// the failure came from starting a second copy, so the cause becomes
// same-app-instance with the actions retry and use-other-port (retry only
// for a device), never end-process, and the message says which copy runs.
// Other findings are returned unchanged, as are holders the caller cannot
// see (hidden, kernel) and ssh, whose leftover forwards have their own rules.
//
// explain calls it when the text names the resource it failed on, or says
// itself that its program already runs; `check` can call it when it knows
// the program that asked (a failed start reported by the VPN's own log or a
// failure trigger), passing the same Context it diagnosed with.
func SecondCopy(f Finding, program string, c Context) Finding {
	fam := ProgramFamily(program)
	if slices.Contains(noSecondCopy, fam) {
		return f
	}
	switch f.Cause {
	case VPNClient, OtherApp, SameAppInstance, StaleAfterWake:
	default:
		return f
	}
	i := slices.IndexFunc(f.Holders, func(h vpnport.Holder) bool {
		return !h.Hidden && !h.Kernel && !h.Probable && h.PID > 0 &&
			(ProgramFamily(programName(h)) == fam || ProgramFamily(h.Name) == fam)
	})
	if i < 0 {
		return f
	}
	switch f.Role() {
	case RoleSSHMuxMaster, RoleDockerProxy:
		return f
	}
	hs := slices.Clone(f.Holders)
	h := hs[i]
	hs = append([]vpnport.Holder{h}, slices.Delete(hs, i, i+1)...)
	f.Holders = hs
	f.Cause = SameAppInstance
	network := f.Resource.Kind != vpnport.Device
	f.Actions = []Action{Retry}
	if network {
		f.Actions = append(f.Actions, UseOtherPort)
	}
	f.Actions = slices.DeleteFunc(f.Actions, func(a Action) bool { return slices.Contains(c.Forbidden, a) })
	f.Message = secondCopyMessage(f.Resource, h, slices.Contains(tunnelFamilies, fam))
	return f
}

// IsSecondCopy reports whether f is SecondCopy's verdict: same-app-instance
// without end-process (the generic verdict on two copies offers to end the
// older one).
func IsSecondCopy(f Finding) bool {
	return f.Cause == SameAppInstance && !f.Has(EndProcess)
}

func secondCopyMessage(r vpnport.Resource, h vpnport.Holder, tunnel bool) string {
	who := HolderText(h)
	switch {
	case r.Kind == vpnport.Device:
		return fmt.Sprintf("%s: %s already runs and has it open: this error came from starting another copy; use the running one, or close it first if you meant to replace it.", r, who)
	case tunnel:
		return fmt.Sprintf("%s: %s already runs and holds it: this error came from starting another copy or a second tunnel on the same port; use the running one, or give the new tunnel another port.", r, who)
	}
	return fmt.Sprintf("%s: %s already runs and holds it: this error came from starting another copy on the same port; use the running one, or give the new one another port.", r, who)
}
