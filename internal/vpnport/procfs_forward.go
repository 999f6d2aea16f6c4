package vpnport

import "github.com/traycheck/traycheck/internal/vpnport/procfs"

// procPID and procUint keep the serial-device parsers (lockfile.go,
// proclocks.go) on procfs's number rules.
func procPID(b []byte) (int, bool)     { return procfs.PID(b) }
func procUint(b []byte) (uint64, bool) { return procfs.Uint(b) }
