// Package diagnose turns observations of ports and devices into findings: the
// cause, who holds the resource, which actions fit, and a message a person can
// act on. It also holds the catalogue of error texts behind `traycheck explain`.
//
// Everything here is a pure function of its inputs: no I/O, no clock reads
// (the caller passes Now), so each rule is table-tested.
package diagnose

import (
	"slices"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// Cause is the stable id of why a resource is (or is not) available. The
// string values are part of the public JSON contract; never rename them.
type Cause string

// The causes, as described in shared/design/causes.md.
const (
	Free            Cause = "free"
	VPNClient       Cause = "vpn-client"
	OtherApp        Cause = "other-app"
	SameAppInstance Cause = "same-app-instance"
	StaleAfterWake  Cause = "stale-after-wake"
	CrashedLeftover Cause = "crashed-leftover"
	TimeWait        Cause = "time-wait"
	ReservedRange   Cause = "reserved-range"
	HiddenOwner     Cause = "hidden-owner"
	KernelOwned     Cause = "kernel-owned"
	DeviceMissing   Cause = "device-missing"
)

// Action is the stable id of something the user can ask traycheck to do. The
// ids double as notification action keys; never rename them.
type Action string

// The actions.
const (
	Retry           Action = "retry"
	Wait            Action = "wait"
	EndProcess      Action = "end-process"
	ResetAdapter    Action = "reset-adapter"
	RebootSuggested Action = "reboot-suggested"
	RemoveLock      Action = "remove-lock"
	UseOtherPort    Action = "use-other-port"
	CheckAsAdmin    Action = "check-as-admin"
)

// Causes lists every cause id, for validation and documentation.
var Causes = []Cause{Free, VPNClient, OtherApp, SameAppInstance, StaleAfterWake,
	CrashedLeftover, TimeWait, ReservedRange, HiddenOwner, KernelOwned, DeviceMissing}

// Actions lists every action id.
var Actions = []Action{Retry, Wait, EndProcess, ResetAdapter, RebootSuggested,
	RemoveLock, UseOtherPort, CheckAsAdmin}

// Finding is the verdict on one resource. Its JSON form is the element of
// "findings" in `traycheck check --json` and `traycheck watch --json`.
type Finding struct {
	Resource vpnport.Resource `json:"resource"`
	Cause    Cause            `json:"cause"`
	Holders  []vpnport.Holder `json:"holders"`
	// TimeWaitLeftS is the whole seconds until the last TIME_WAIT socket on
	// the port expires (rounded up); 0 when there is none.
	TimeWaitLeftS int      `json:"time_wait_left_s"`
	Actions       []Action `json:"actions"`
	Message       string   `json:"message"`

	// Lock is the stale lock file behind a crashed-leftover device finding.
	Lock *vpnport.LockFile `json:"lock,omitempty"`
	// Reserved is the excluded range behind a reserved-range finding.
	Reserved *vpnport.PortRange `json:"reserved,omitempty"`
	// Together lists the groups of holders (PIDs, ascending) that hold one
	// socket between them: a server and the workers it forked, also after
	// the server died. Ending one of a group frees nothing, so end-process
	// ends a holder's whole group (see EndGroup). Only groups of two or
	// more are listed.
	Together [][]int `json:"together,omitempty"`
	// Commands are commands the user can run for its holder's role (see
	// roles.go) instead of ending the process ("ssh -S PATH -O cancel -L
	// ... x", "systemctl stop dnsmasq.service").
	Commands []string `json:"commands,omitempty"`
}

// EndGroup returns the holders end-process must end to free what pid holds:
// pid's group in Together, or pid alone. It returns nil when pid is not a
// live holder of f.
func (f Finding) EndGroup(pid int) []vpnport.Holder {
	pids := []int{pid}
	for _, g := range f.Together {
		if slices.Contains(g, pid) {
			pids = g
			break
		}
	}
	var out []vpnport.Holder
	for _, p := range pids {
		for _, h := range f.Holders {
			if h.PID == p && !h.Hidden && !h.Kernel && !h.Probable {
				out = append(out, h)
				break
			}
		}
	}
	if !slices.ContainsFunc(out, func(h vpnport.Holder) bool { return h.PID == pid }) {
		return nil
	}
	return out
}

// NeedsAttention reports whether the finding is a conflict or problem (exit
// code 1, a notification) rather than a resource that is fine.
func (f Finding) NeedsAttention() bool {
	return f.Cause != Free && f.Cause != VPNClient
}

// ActHolder is the holder end-process acts on: the first live process
// (never a hidden, kernel or merely probable holder), and false when there
// is none.
func (f Finding) ActHolder() (vpnport.Holder, bool) {
	for _, h := range f.Holders {
		if !h.Hidden && !h.Kernel && !h.Probable && h.PID > 0 {
			return h, true
		}
	}
	return vpnport.Holder{}, false
}

// Role is the role of the first holder that plays one ("ssh-mux-master"),
// or "".
func (f Finding) Role() string {
	for _, h := range f.Holders {
		if h.Role != "" {
			return h.Role
		}
	}
	return ""
}

// Has reports whether a is among f's actions.
func (f Finding) Has(a Action) bool {
	for _, x := range f.Actions {
		if x == a {
			return true
		}
	}
	return false
}

// Context is what diagnosis knows besides the observation itself.
type Context struct {
	// Now is the time of the check; only used to judge "right after wake".
	Now time.Time
	// VPNClients are program names that are the VPN client itself (from the
	// config): a resource they hold is fine.
	VPNClients []string
	// ExpectedPIDs, when set, are the instances of the VPN client the user
	// expects (e.g. the one traycheck's reconnect command started); other
	// instances of the same program are same-app-instance.
	ExpectedPIDs []int
	// SSHForwardPorts are local ports of ssh -L forwards: an ssh process
	// holding one is a leftover forward (same-app-instance), not the client.
	SSHForwardPorts []uint16
	// LastResume is when the machine last woke from sleep (zero: unknown).
	LastResume time.Time
	// WakeWindow is how long after LastResume findings may be blamed on the
	// wake; zero means DefaultWakeWindow.
	WakeWindow time.Duration
	// AdapterConfigured says a "Reset adapter" action can do something.
	AdapterConfigured bool
	// Contended says a program just failed to get this resource (explain, a
	// failed dial): a client holding it is then another instance of that
	// client, or its half-dead connection right after a wake.
	Contended bool
	// ResetTried says a reset-adapter already ran for this resource and it is
	// still held: only then is a reboot the next suggestion.
	ResetTried bool
	// Forbidden are actions the machine policy forbids: never offered, so
	// no menu, notification, console line or token can carry them.
	Forbidden []Action
}

// DefaultWakeWindow is how long after a resume a problem counts as
// stale-after-wake: long enough to cover Wi-Fi, DHCP and the VPN's reconnect.
const DefaultWakeWindow = 2 * time.Minute
