package diagnose

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"github.com/traycheck/traycheck/internal/safetext"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// HolderText names a holder the way a person needs it to find and judge the
// process: "python3 (PID 4242, /usr/bin/python3, user alice)".
func HolderText(h vpnport.Holder) string {
	switch {
	case h.Hidden:
		return "a process of user " + userText(h) + " (PID hidden)"
	case h.Kernel:
		if h.PID == 4 {
			// Windows' System process: HTTP.sys and SMB hold ports for
			// services that registered URLs with it.
			return "the Windows kernel (PID 4, HTTP.sys or SMB)"
		}
		return "the kernel"
	}
	name := safetext.Printable(h.Name)
	if h.Service != "" {
		name = safetext.Printable(h.Service) + " service (" + name + ")"
	}
	parts := []string{"PID " + strconv.Itoa(h.PID)}
	if h.Exe != "" {
		parts = append(parts, safetext.Printable(h.Exe))
	}
	if h.User != "" {
		parts = append(parts, "user "+safetext.Printable(h.User))
	}
	return fmt.Sprintf("%s (%s)", name, strings.Join(parts, ", "))
}

// HoldersText joins holder names, counting them when there are several, so
// nobody takes the first for the only one: "2 processes: a (PID 1) and b
// (PID 2)".
func HoldersText(hs []vpnport.Holder) string {
	names := make([]string, len(hs))
	for i, h := range hs {
		names[i] = HolderText(h)
	}
	switch len(names) {
	case 0:
		return "nobody"
	case 1:
		return names[0]
	}
	return strconv.Itoa(len(names)) + " processes: " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// message says in one or two sentences what holds the resource, why, and
// the next step. Its wording is for people; scripts use the cause id.
func message(f Finding, o vpnport.Observation) string {
	if m := roleMessage(f, o); m != "" {
		return m
	}
	r := f.Resource.String()
	who := HoldersText(f.Holders)
	addrs := holderAddrs(o.Sockets)
	if len(f.Holders) > 1 && differentAddrs(f.Holders, addrs) {
		who = holdersAtText(f.Holders, addrs)
	}
	switch f.Cause {
	case Free:
		if n := timeWaitCount(o); n > 0 {
			return fmt.Sprintf("%s is free for ssh: only %d connection(s) in TIME_WAIT remain from a closed connection (expiring in %ds). ssh binds its forward over them at once when the listener before it set SO_REUSEADDR too, as an earlier ssh forward does; if ssh still says \"Address already in use\", that listener did not, and the port frees in %ds.", r, n, f.TimeWaitLeftS, f.TimeWaitLeftS)
		}
		if o.Unseen {
			return r + " is free as far as traycheck can see: no visible process holds it, but some processes cannot be inspected without privileges."
		}
		return r + " is free."
	case VPNClient:
		if p := probableOf(f.Holders); len(p) > 0 {
			owner := "another user"
			if hs := hiddenOf(f.Holders); len(hs) > 0 && hs[0].Hidden {
				owner = "user " + userText(hs[0])
			}
			return fmt.Sprintf("%s is held by a process of %s whose details are hidden: probably your VPN client %s; check as administrator to be sure.", r, owner, probableText(p))
		}
		if len(f.Holders) == 0 && o.KernelHolder != "" {
			return fmt.Sprintf("%s is held by the kernel's %s: the VPN itself, as expected.", r, o.KernelHolder)
		}
		return fmt.Sprintf("%s is held by the VPN client %s, as expected.", r, who)
	case OtherApp:
		switch {
		case f.Lock != nil && len(f.Holders) > 0:
			return fmt.Sprintf("%s is locked by %s, according to the lock file %s. Close that program and retry.", r, who, safetext.Printable(f.Lock.Path))
		case len(f.Holders) > 1 && !f.Has(EndProcess):
			return fmt.Sprintf("%s is held by %s. Close them and retry.", r, who)
		case len(f.Holders) > 0 && !f.Has(EndProcess):
			return fmt.Sprintf("%s is held by %s. Close it and retry.", r, who)
		case len(f.Together) == 1 && len(f.Together[0]) == len(f.Holders):
			// One socket shared across fork (workers whose server may be
			// gone): only ending all of them frees the port.
			return fmt.Sprintf("%s is held by %s, sharing one socket. Close them and retry, or end all %d.", r, who, len(f.Holders))
		case len(f.Holders) > 1:
			return fmt.Sprintf("%s is held by %s. Close them and retry, or end them.", r, who)
		case len(f.Holders) > 0:
			return fmt.Sprintf("%s is held by %s. Close it and retry, or end it.", r, who)
		case f.Lock != nil:
			return fmt.Sprintf("%s is locked by running PID %d (%s). Close that program and retry.", r, f.Lock.PID, f.Lock.Path)
		}
		return fmt.Sprintf("%s is in use by another program that traycheck may not see (%s). Check as administrator to name it.", r, openErr(o))
	case SameAppInstance:
		if len(f.Holders) > 1 {
			return fmt.Sprintf("%s is held by %d copies of the same program: %s. End the one that is a leftover (usually the older), then retry.", r, len(f.Holders), copiesText(f.Holders, addrs))
		}
		return fmt.Sprintf("%s is held by another instance of the same program: %s. End the old one, then retry.", r, who)
	case StaleAfterWake:
		if len(f.Holders) > 0 {
			return fmt.Sprintf("%s is still held by %s since the machine woke from sleep: the old connection did not let go. Retry; if it stays held, end it or reset the adapter.", r, who)
		}
		return fmt.Sprintf("%s is still marked as held since the machine woke from sleep, but no process holds it. Retry, then reset the adapter; a reboot clears it if nothing else does.", r)
	case CrashedLeftover:
		if f.Lock == nil {
			if o.BadLock == nil {
				return r + " has a stale lock."
			}
			return fmt.Sprintf("%s: no process holds it, but %s sits at its lock name and is no lock (%s): minicom refuses the device while it is there, and minicom and cu hang on a FIFO. Delete it as administrator, then retry.",
				r, safetext.Printable(o.BadLock.Path), safetext.Printable(o.BadLock.Why))
		}
		return fmt.Sprintf("%s is locked by %s for PID %d, which is no longer running: a crashed program left it. minicom and cu take such a lock over by themselves; for other programs, remove the lock and retry.", r, f.Lock.Path, f.Lock.PID)
	case TimeWait:
		return fmt.Sprintf("%s has %d connection(s) in TIME_WAIT from a closed connection (no program holds it); they expire in %ds. %s", r, timeWaitCount(o), f.TimeWaitLeftS, timeWaitAdvice(goos, f.TimeWaitLeftS))
	case ReservedRange:
		// The admin fix: stopping winnat releases dynamic reservations;
		// excluding the port first keeps it out of the next ones.
		return fmt.Sprintf("%s lies in the excluded port range %s reserved by Windows (Hyper-V/WinNAT); no program holds it, but binding fails. Use another port, or, as administrator, release it with `net stop winnat`, keep it free with `netsh int ipv4 add excludedportrange protocol=%s startport=%d numberofports=1 store=persistent`, then `net start winnat`.",
			r, f.Reserved, f.Resource.Kind, f.Resource.Port)
	case HiddenOwner:
		if len(f.Holders) == 0 {
			return fmt.Sprintf("%s: no process you can see holds it, but some processes cannot be inspected without privileges and it does not open for you (%s). %s to see who has it.", r, openErr(o), adminCheckAdvice(f.Resource))
		}
		if p := probableOf(f.Holders); len(p) > 0 {
			return fmt.Sprintf("%s is held by %s, probably %s. %s to see which program.", r, HoldersText(hiddenOf(f.Holders)), probableText(p), adminCheckAdvice(f.Resource))
		}
		return fmt.Sprintf("%s is held by %s. %s to see which program.", r, who, adminCheckAdvice(f.Resource))
	case KernelOwned:
		if len(f.Holders) > 0 && f.Holders[0].PID == 4 {
			return fmt.Sprintf("%s is held by %s. Run `netsh http show servicestate` as administrator to see which service registered it.", r, who)
		}
		if o.KernelHolder != "" {
			return fmt.Sprintf("%s is held by the kernel's %s, not by a process. Bring that interface down, or use another port.", r, o.KernelHolder)
		}
		if runtime.GOOS == "windows" {
			// Windows names the owner of every socket but a closing one;
			// the Linux kernel users below do not exist there. (Under
			// Wine every TCP listener and native Linux socket lands here.)
			return fmt.Sprintf("%s is held, but Windows names no process as its owner (owner PID 0). Retry, or use another port.", r)
		}
		return fmt.Sprintf("%s is held by the kernel, not by a process (a WireGuard interface, VXLAN or NFS). Bring that interface down, or use another port.", r)
	case DeviceMissing:
		if len(o.Available) > 0 {
			return fmt.Sprintf("%s does not exist (unplugged or renamed?). Devices present: %s.", r, strings.Join(o.Available, ", "))
		}
		return fmt.Sprintf("%s does not exist (unplugged or renamed?), and no similar device is present.", r)
	}
	return r + ": " + string(f.Cause)
}

func openErr(o vpnport.Observation) string {
	if o.OpenErr != "" {
		return o.OpenErr
	}
	return "busy"
}

func probableOf(hs []vpnport.Holder) []vpnport.Holder {
	var out []vpnport.Holder
	for _, h := range hs {
		if h.Probable {
			out = append(out, h)
		}
	}
	return out
}

func hiddenOf(hs []vpnport.Holder) []vpnport.Holder {
	var out []vpnport.Holder
	for _, h := range hs {
		if !h.Probable {
			out = append(out, h)
		}
	}
	return out
}

func timeWaitCount(o vpnport.Observation) int {
	n := 0
	for _, s := range o.Sockets {
		if s.State == vpnport.StateTimeWait {
			n++
		}
	}
	return n
}

// goos is the OS whose socket rules the advice states; tests set others.
var goos = runtime.GOOS

// timeWaitAdvice says who TIME_WAIT really blocks on os. On Linux a bind
// over it succeeds only when both the new socket and the one that accepted
// the waiting connection set SO_REUSEADDR (verified with real binds in
// internal/realprog). macOS's BSD rule is not verified here, so it is said
// with "usually". Windows (since 2000) lets a listener bind over it unless
// the program asks for SO_EXCLUSIVEADDRUSE; there SO_REUSEADDR means
// something else (taking a port a live socket holds), so it is no advice.
func timeWaitAdvice(os string, left int) string {
	switch os {
	case "windows":
		return fmt.Sprintf("Windows lets a program listen on the port over them at once; only one that binds with SO_EXCLUSIVEADDRUSE, or binds this local port for an outgoing connection, must wait %ds or use another port.", left)
	case "linux", "android":
		return fmt.Sprintf("A program that sets SO_REUSEADDR (OpenSSH's forwards, most servers, Python's http.server) binds over them at once when the listener that accepted those connections set it too; one without it (a bare bind, socat without reuseaddr), or any program after a listener without it, must wait %ds or use another port.", left)
	}
	return fmt.Sprintf("A program that sets SO_REUSEADDR (OpenSSH's forwards, most servers) usually binds over them at once; one without it must wait %ds or use another port.", left)
}

// userText is a holder's user name, or its UID when the name is unknown.
func userText(h vpnport.Holder) string {
	if u := safetext.Printable(h.User); u != "" {
		return u
	}
	return "UID " + strconv.FormatUint(uint64(h.UID), 10)
}

// adminCheckAdvice says how to check r as administrator with the command
// itself, so a user without the tray's button (or without pkexec) can.
func adminCheckAdvice(r vpnport.Resource) string {
	if goos == "windows" {
		return fmt.Sprintf("Check as administrator (`traycheck check %s` in an administrator terminal)", r)
	}
	return fmt.Sprintf("Check as administrator (`sudo traycheck check %s`)", r)
}
