package diagnose

// causeDocs says in one line what each cause means: the glossary of
// `traycheck help CAUSE` and the man page's CAUSES section, kept beside
// the ids so they cannot drift (a test wants one for every cause).
var causeDocs = map[Cause]string{
	Free:            "nothing holds the port or device: the VPN can take it",
	VPNClient:       "the VPN client itself holds it: it is connected or connecting, all is well",
	OtherApp:        "another program holds it; traycheck names the process (name, PID, path, user)",
	SameAppInstance: "a second instance of the VPN client (an old openvpn, a leftover ssh -L) holds it",
	StaleAfterWake:  "held since a suspend and resume although no live connection uses it; retry, then reset the adapter",
	CrashedLeftover: "a program that crashed left it marked as held: a stale lock file naming a dead PID, or an orphaned helper",
	TimeWait:        "only TCP TIME_WAIT sockets remain, no process; they expire by themselves (60 s on Linux)",
	ReservedRange:   "no socket holds the port but it lies in a range the OS reserved (Windows: Hyper-V or WinNAT excluded ports)",
	HiddenOwner:     "held by another user's process whose name and PID cannot be read without admin rights",
	KernelOwned:     "held by the kernel (a kernel module, HTTP.sys or SMB on Windows), not by a process that could be ended",
	DeviceMissing:   "the configured modem or serial device does not exist (unplugged or renamed)",
}

// CauseDoc is what the cause c means, in one line ("" for an unknown id).
func CauseDoc(c Cause) string { return causeDocs[c] }
