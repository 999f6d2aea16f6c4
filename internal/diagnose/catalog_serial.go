package diagnose

import "github.com/traycheck/traycheck/internal/vpnport"

// serialCatalogue is the catalogue's rows for the serial programs people
// run against modems and boards on Linux. Each text was captured from the
// program itself (Debian 12: picocom 3.1, minicom 2.8, Taylor UUCP cu 1.07,
// pyserial 3.5) by TestRealSerialTexts in internal/vpnport.
//
// The programs claim a device in two different ways, and the notes say
// which, because that decides where the holder is found: picocom and
// pyserial's exclusive=True take flock() on the device (the kernel lists it
// in /proc/locks); minicom and cu write a UUCP lock file in /run/lock
// (/var/lock), named LCK..<name> after the path they were given (minicom
// writes LCK..pts_0 for /dev/pts/0, cu LCK..0).
func serialCatalogue() []catEntry {
	const flockNote = "Another program holds an exclusive flock() on the device: another picocom, or a pyserial script opened with exclusive=True. " +
		"It has the device open now; close it and retry (traycheck check DEVICE names it)."
	return []catEntry{
		{id: "picocom-lock", family: DeviceInUse, code: "EWOULDBLOCK", kind: vpnport.Device, rank: 90,
			hints: []string{"cannot lock"}, re: catRE(`cannot lock ` + catAnyDevPath + `: Resource temporarily unavailable`),
			note: "picocom locks the device with flock(), not with a lock file. " + flockNote},
		{id: "pyserial-exclusive", family: DeviceInUse, code: "EWOULDBLOCK", kind: vpnport.Device, rank: 90,
			hints: []string{"exclusively lock"}, re: catRE(`Could not exclusively lock port '?` + catDevPath),
			note: "pyserial's exclusive=True locks the port with flock(). " + flockNote},
		{id: "minicom-locked", family: DeviceInUse, code: "UUCP_LOCK", kind: vpnport.Device, rank: 85,
			hints: []string{"is locked"}, re: catRE(`\bDevice ` + catAnyDevPath + ` is locked\.`),
			note: "minicom found a UUCP lock file for the device (in /run/lock, e.g. LCK..ttyUSB0 or LCK..pts_0) naming a running process: " +
				"another minicom, cu or a dialer has the device. Close that program; if the lock outlived it, minicom replaces it by itself."},
		{id: "minicom-stale", family: DeviceInUse, code: "UUCP_LOCK_STALE", rank: 60,
			hints: []string{"lockfile is stale"}, re: catRE(`Lockfile is stale\. Overriding it`),
			note: "minicom found a lock file left by a program that no longer runs (it crashed or was killed), replaced it and went on: " +
				"the device was free, nothing needs doing."},
		{id: "cu-line-in-use", family: DeviceInUse, code: "UUCP_LOCK", kind: vpnport.Device, rank: 85,
			hints: []string{"line in use"}, re: catRE(`\bcu: ` + catAnyDevPath + `: Line in use`),
			note: "cu found the device locked by a running process (a UUCP lock file in /var/lock). cu also says this when it cannot open the device at all: " +
				"after \"cu: open (DEVICE): Permission denied\" the cause is permissions, not another program (cu runs as user uucp, which must be in the device's group, usually dialout)."},
		// The texts that name no device: explain checks the configured
		// devices (as for RAS 633) and any device path elsewhere in the
		// paste.
		{id: "serial-locked-nodev", family: DeviceInUse, code: "UUCP_LOCK", kind: vpnport.Device, rank: 55,
			hints: []string{"is locked", "locked by another"}, re: catRE(`(?i)\b(?:device|port|line|tty|modem)(?: file)? is locked\b|\blocked by another (?:process|program|application)`),
			note: "A serial program found the device locked by another program: a UUCP lock file (minicom, cu) or an exclusive flock() (picocom, pyserial) of a running process. " +
				"Close that program and retry."},
		{id: "serial-eagain", family: DeviceInUse, code: "EWOULDBLOCK", kind: vpnport.Device, rank: 45,
			hints: []string{"resource temporarily unavailable"},
			re:    catRE(`(?i)(?:\block|/dev/|\btty|\bserial|\bmodem|\bpicocom|\bminicom|\bcom\d)[^\n]{0,100}?resource temporarily unavailable|resource temporarily unavailable[^\n]{0,60}?(?:\block|/dev/|\btty|\bserial|\bmodem)`),
			note:  "On a serial device \"Resource temporarily unavailable\" (EWOULDBLOCK) means another program holds an exclusive flock() on it: another picocom, or a pyserial script opened with exclusive=True. Close it and retry."},
		{id: "cu-line-in-use-nodev", family: DeviceInUse, code: "UUCP_LOCK", kind: vpnport.Device, rank: 40,
			hints: []string{"line in use"}, re: catRE(`(?i)\bline in use\b`),
			note: "cu found the device locked by a running process (a UUCP lock file in /var/lock), or could not open it at all (then it is permissions: cu runs as user uucp)."},
		{id: "cu-stale-lock", family: DeviceInUse, code: "UUCP_LOCK_STALE", rank: 60,
			hints: []string{"stale lock"}, re: catRE(`\bStale lock /[\w./:+-]{1,128} held by process \d{1,10}`),
			note: "cu found a lock file of a process that no longer runs (a crashed or killed cu or dialer), removed it and went on: the device was free."},
	}
}
