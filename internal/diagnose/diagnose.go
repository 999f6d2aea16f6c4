package diagnose

import (
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// DiagnoseAll diagnoses each observation with the same context.
func DiagnoseAll(obs []vpnport.Observation, c Context) []Finding {
	out := make([]Finding, len(obs))
	for i, o := range obs {
		out[i] = Diagnose(o, c)
	}
	return out
}

// Diagnose decides why o's resource is or is not available and what fits.
// The rules follow shared/design/causes.md; the order of checks matters and
// each step says why it comes where it does.
func Diagnose(o vpnport.Observation, c Context) Finding {
	var f Finding
	if o.Resource.Kind == vpnport.Device {
		f = diagnoseDevice(o, c)
	} else {
		f = diagnosePort(o, c)
	}
	f.Resource = o.Resource
	f.Together = together(o.Sockets, f.Holders)
	if f.Holders == nil {
		f.Holders = []vpnport.Holder{}
	}
	if f.Actions == nil {
		f.Actions = []Action{}
	}
	applyRole(&f, o)
	if len(c.Forbidden) > 0 {
		f.Actions = slices.DeleteFunc(f.Actions, func(a Action) bool { return slices.Contains(c.Forbidden, a) })
	}
	f.Message = message(f, o)
	return f
}

// owners sorts a resource's holders into the groups the rules talk about.
type owners struct {
	clients []vpnport.Holder // processes that are the VPN client itself
	others  []vpnport.Holder // any other live process
	hidden  []vpnport.Holder // a user's process whose PID we may not read
	kernel  []vpnport.Holder // the kernel (Windows PID 4) as a holder
}

func (w owners) live() []vpnport.Holder { return append(slices.Clone(w.others), w.clients...) }

func classify(hs []vpnport.Holder, c Context, port uint16) owners {
	var w owners
	for _, h := range hs {
		switch {
		case h.Hidden:
			w.hidden = append(w.hidden, h)
		case h.Kernel:
			w.kernel = append(w.kernel, h)
		case isClient(h, c, port):
			w.clients = append(w.clients, h)
		default:
			w.others = append(w.others, h)
		}
	}
	return w
}

// isClient reports whether h is the VPN client. ssh counts as a client only
// on its configured forward ports: an ssh holding some other port is just
// another program.
func isClient(h vpnport.Holder, c Context, port uint16) bool {
	name := programName(h)
	if name == "ssh" && port != 0 {
		return slices.Contains(c.SSHForwardPorts, port) || slices.Contains(c.VPNClients, "ssh")
	}
	for _, cl := range c.VPNClients {
		if strings.EqualFold(cl, name) || strings.EqualFold(cl, h.Service) {
			return true
		}
	}
	return false
}

// programName is the name users know a holder by: the exe's base name when
// readable (comm is cut to 15 bytes), else the reported name.
func programName(h vpnport.Holder) string {
	if h.Exe != "" {
		base := filepath.Base(strings.ReplaceAll(h.Exe, `\`, "/"))
		return strings.TrimSuffix(strings.TrimSuffix(base, ".exe"), ".EXE")
	}
	return strings.TrimSuffix(h.Name, ".exe")
}

// afterWake reports whether the check falls in the window after a resume in
// which a held resource is most likely a lock the sleep left behind.
func afterWake(c Context) bool {
	if c.LastResume.IsZero() || c.Now.IsZero() {
		return false
	}
	w := c.WakeWindow
	if w == 0 {
		w = DefaultWakeWindow
	}
	d := c.Now.Sub(c.LastResume)
	return d >= 0 && d <= w
}

func diagnosePort(o vpnport.Observation, c Context) Finding {
	var live, waiting []vpnport.Socket
	for _, s := range o.Sockets {
		if s.State == vpnport.StateTimeWait {
			waiting = append(waiting, s)
		} else {
			live = append(live, s)
		}
	}
	w := classify(o.Holders, c, o.Resource.Port)

	if len(live) == 0 && len(w.live()) == 0 && len(w.hidden) == 0 {
		switch {
		case len(waiting) > 0 && o.Resource.Kind == vpnport.TCP && slices.Contains(c.SSHForwardPorts, o.Resource.Port):
			// ssh sets SO_REUSEADDR on its forward listeners, so it binds
			// over TIME_WAIT left by a listener that set it too (on
			// Linux both must; an earlier ssh forward, the usual source,
			// does), and Windows lets listeners bind over TIME_WAIT
			// anyway: for the ssh forward the port is free; the message
			// says what to do if that earlier listener lacked it.
			return Finding{Cause: Free, TimeWaitLeftS: timeWaitLeft(waiting)}
		case len(waiting) > 0:
			// Only the ghosts of closed connections remain: they go away by
			// themselves, so waiting is the fix, not killing anything.
			return Finding{Cause: TimeWait, TimeWaitLeftS: timeWaitLeft(waiting),
				Actions: []Action{Wait, UseOtherPort}}
		case o.Reserved != nil:
			// Nothing holds it, yet the OS refuses it: a reserved range is
			// invisible to netstat and is the only explanation left.
			r := *o.Reserved
			return Finding{Cause: ReservedRange, Reserved: &r, Actions: []Action{UseOtherPort, Retry}}
		default:
			return Finding{Cause: Free}
		}
	}
	if len(w.live())+len(w.hidden)+len(w.kernel) == 0 && kernelClient(o.KernelHolder, c) {
		// A kernel WireGuard interface holds its listen port with no
		// process: with WireGuard among the clients that is the VPN
		// working, not a conflict (and never a reason to reboot).
		return Finding{Cause: VPNClient}
	}
	if len(w.others) == 0 && len(w.hidden) > 0 {
		if p := probableHolders(w.hidden, o.Candidates, c, o.Resource.Port); len(p) > 0 {
			if !c.Contended {
				// The user's own system VPN, most likely: fine, but said
				// as a guess, with the way to make sure.
				hs := append(append(slices.Clone(w.hidden), p...), w.clients...)
				return Finding{Cause: VPNClient, Holders: hs, Actions: []Action{CheckAsAdmin}}
			}
			// A program just failed to get the port: the hidden holder
			// stays unknown, but the likely one is named alongside.
			w.hidden = append(w.hidden, p...)
		}
	}
	return diagnoseHeld(w, live, c, true)
}

// kernelClient reports whether the kernel holder the probe named is the
// configured VPN: WireGuard's in-kernel implementation, when a WireGuard
// client is configured.
func kernelClient(holder string, c Context) bool {
	if !strings.Contains(holder, "WireGuard") {
		return false
	}
	for _, cl := range c.VPNClients {
		switch strings.ToLower(cl) {
		case "wireguard", "wg-quick", "wg":
			return true
		}
	}
	return false
}

// diagnoseHeld decides between the "somebody holds it" causes, for ports and
// devices alike; it is only called when the resource is held.
func diagnoseHeld(w owners, live []vpnport.Socket, c Context, network bool) Finding {
	wake := afterWake(c)
	switch {
	case len(w.others) > 0:
		// A foreign program is the one thing the user can act on directly, so
		// it wins over every other explanation. Clients sharing the port
		// (SO_REUSEPORT) are listed too: the user should see all owners.
		return Finding{Cause: OtherApp, Holders: w.live(), Actions: heldActions(network, true)}
	case len(w.hidden) > 0:
		return Finding{Cause: HiddenOwner, Holders: append(w.hidden, w.clients...),
			Actions: []Action{CheckAsAdmin, Retry}}
	case len(w.clients) > 0:
		if extra := extraInstances(w.clients, live, c); len(extra) > 0 {
			// Oldest first: the old copy is the usual leftover, and the
			// first live holder is what end-process acts on.
			return Finding{Cause: SameAppInstance, Holders: oldestFirst(w.clients), Actions: heldActions(network, true)}
		}
		if c.Contended && wake {
			// The client's own connection died with the sleep but its socket
			// or device is still marked held: its reconnect now fails.
			return Finding{Cause: StaleAfterWake, Holders: w.clients, Actions: staleActions(c, true)}
		}
		return Finding{Cause: VPNClient, Holders: w.clients}
	}
	// Held, but by no process: the kernel (a WireGuard interface, NFS,
	// HTTP.sys) or a lock the sleep left behind.
	if wake {
		return Finding{Cause: StaleAfterWake, Holders: w.kernel, Actions: staleActions(c, false)}
	}
	f := Finding{Cause: KernelOwned, Holders: w.kernel, Actions: []Action{Retry}}
	if c.AdapterConfigured {
		f.Actions = append(f.Actions, ResetAdapter)
	}
	if network {
		f.Actions = append(f.Actions, UseOtherPort)
	}
	if c.ResetTried {
		f.Actions = append(f.Actions, RebootSuggested)
	}
	return f
}

func heldActions(network, endable bool) []Action {
	a := []Action{Retry}
	if endable {
		a = append(a, EndProcess)
	}
	if network {
		a = append(a, UseOtherPort)
	}
	return a
}

// staleActions is the escalation of causes.md #3: retry, then reset, and a
// reboot only when no live process holds it and a reset did not help (or
// there is no adapter to reset).
func staleActions(c Context, liveHolder bool) []Action {
	a := []Action{Retry}
	if liveHolder {
		a = append(a, EndProcess)
	}
	if c.AdapterConfigured && !c.ResetTried {
		a = append(a, ResetAdapter)
	}
	if !liveHolder && (c.ResetTried || !c.AdapterConfigured) {
		a = append(a, RebootSuggested)
	}
	return a
}

// extraInstances returns the client processes that are not the instance the
// user expects. With ExpectedPIDs known, that is any other PID. Without it,
// two processes of the same program holding separate sockets (not one socket
// inherited across fork) are two instances; and when the caller saw a bind
// fail (Contended), whoever holds it is by definition not the one that failed.
func extraInstances(clients []vpnport.Holder, live []vpnport.Socket, c Context) []vpnport.Holder {
	if len(c.ExpectedPIDs) > 0 {
		var extra []vpnport.Holder
		for _, h := range clients {
			if !slices.Contains(c.ExpectedPIDs, h.PID) {
				extra = append(extra, h)
			}
		}
		return extra
	}
	if c.Contended && !afterWake(c) {
		return clients
	}
	byName := map[string]map[int]bool{} // program -> PIDs owning a socket of their own
	for _, s := range live {
		if len(s.PIDs) != 1 {
			continue // shared by fork: one instance, however many PIDs
		}
		for _, h := range clients {
			if h.PID == s.PIDs[0] {
				n := programName(h)
				if byName[n] == nil {
					byName[n] = map[int]bool{}
				}
				byName[n][h.PID] = true
			}
		}
	}
	for _, pids := range byName {
		if len(pids) > 1 {
			return clients
		}
	}
	return nil
}

func timeWaitLeft(ss []vpnport.Socket) int {
	var max time.Duration
	for _, s := range ss {
		max = maxDur(max, s.TimerLeft)
	}
	return int((max + time.Second - 1) / time.Second)
}

func maxDur(a, b time.Duration) time.Duration {
	if b > a {
		return b
	}
	return a
}

func diagnoseDevice(o vpnport.Observation, c Context) Finding {
	if !o.Exists {
		return Finding{Cause: DeviceMissing, Actions: []Action{Retry}}
	}
	w := classify(o.Holders, c, 0)
	if len(w.live())+len(w.hidden)+len(w.kernel) > 0 {
		return diagnoseHeld(w, nil, c, false)
	}
	if o.Lock != nil && !o.Lock.Alive {
		// A lock naming a dead PID: the program crashed without cleaning up.
		// minicom and cu notice the dead PID and take the lock over (seen
		// with minicom 2.8 and cu 1.07); a program that does not refuses the
		// device until the lock goes.
		l := *o.Lock
		return Finding{Cause: CrashedLeftover, Lock: &l, Actions: []Action{RemoveLock, Retry}}
	}
	if o.Lock != nil {
		// A live process claims the device by lock but has it not open
		// (yet), or not visibly. It is named, but a lock file is only a
		// claim anyone can write (and its PID may have been reused), so
		// "end it" is never offered on its word alone.
		l := *o.Lock
		l.Holder = nil
		if h := o.Lock.Holder; h != nil {
			if isClient(*h, c, 0) {
				return Finding{Cause: VPNClient, Holders: []vpnport.Holder{*h}}
			}
			return Finding{Cause: OtherApp, Holders: []vpnport.Holder{*h}, Lock: &l, Actions: []Action{Retry}}
		}
		return Finding{Cause: OtherApp, Lock: &l, Actions: []Action{Retry}}
	}
	if o.BadLock != nil {
		// No process holds it, but what sits at its lock name makes
		// minicom refuse the device (and minicom and cu hang on a FIFO):
		// free for the kernel, not for the programs that dial. Only
		// deleting the file helps; remove-lock needs a PID to re-verify,
		// so the message says how instead.
		return Finding{Cause: CrashedLeftover, Actions: []Action{Retry}}
	}
	if o.Busy {
		if afterWake(c) {
			return Finding{Cause: StaleAfterWake, Actions: staleActions(c, false)}
		}
		// Refused, but the holder is not visible to us: only an elevated look
		// can name it (Windows without admin, another user's process).
		return Finding{Cause: OtherApp, Actions: []Action{CheckAsAdmin, Retry}}
	}
	if o.Unseen && o.OpenErr != "" {
		// No process we can see holds it, some we cannot inspect, and it
		// does not open for us: "free" would be a guess.
		return Finding{Cause: HiddenOwner, Actions: []Action{CheckAsAdmin, Retry}}
	}
	return Finding{Cause: Free}
}

// together groups the holders that share a socket (one inode in several
// processes: inherited across fork), transitively: a process holding two
// sockets joins their groups. Groups of one are left out.
func together(socks []vpnport.Socket, hs []vpnport.Holder) [][]int {
	live := func(pid int) bool {
		return slices.ContainsFunc(hs, func(h vpnport.Holder) bool { return h.PID == pid && !h.Hidden && !h.Kernel })
	}
	var groups [][]int
	for _, s := range socks {
		var g []int
		for _, pid := range s.PIDs {
			if live(pid) && !slices.Contains(g, pid) {
				g = append(g, pid)
			}
		}
		if len(g) < 2 {
			continue
		}
		// Merge every existing group that shares a PID with g.
		for i := 0; i < len(groups); {
			if slices.ContainsFunc(groups[i], func(p int) bool { return slices.Contains(g, p) }) {
				for _, p := range groups[i] {
					if !slices.Contains(g, p) {
						g = append(g, p)
					}
				}
				groups = slices.Delete(groups, i, i+1)
				continue
			}
			i++
		}
		slices.Sort(g)
		groups = append(groups, g)
	}
	slices.SortFunc(groups, func(a, b []int) int { return a[0] - b[0] })
	return groups
}
