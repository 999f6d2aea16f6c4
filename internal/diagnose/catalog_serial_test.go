package diagnose

import (
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// The serial programs' texts as they printed them on Debian 12 (the same
// texts are captured live from the programs by TestRealSerialTexts in
// internal/vpnport, which feeds them to Explain).
func init() {
	catCases = append(catCases,
		catCase{"picocom 3.1", "FATAL: cannot lock /dev/pts/0: Resource temporarily unavailable", "picocom-lock", DeviceInUse, "EWOULDBLOCK",
			TextResource{Kind: vpnport.Device, Path: "/dev/pts/0"}},
		catCase{"pyserial 3.5", "serial.serialutil.SerialException: [Errno 11] Could not exclusively lock port /dev/pts/0: [Errno 11] Resource temporarily unavailable",
			"pyserial-exclusive", DeviceInUse, "EWOULDBLOCK", TextResource{Kind: vpnport.Device, Path: "/dev/pts/0"}},
		catCase{"minicom 2.8", "Device /dev/ttyUSB0 is locked.", "minicom-locked", DeviceInUse, "UUCP_LOCK",
			TextResource{Kind: vpnport.Device, Path: "/dev/ttyUSB0"}},
		catCase{"minicom 2.8", "Lockfile is stale. Overriding it..", "minicom-stale", DeviceInUse, "UUCP_LOCK_STALE", TextResource{}},
		catCase{"cu 1.07", "cu: /dev/pts/0: Line in use", "cu-line-in-use", DeviceInUse, "UUCP_LOCK", TextResource{Kind: vpnport.Device, Path: "/dev/pts/0"}},
		catCase{"cu 1.07", "cu: Stale lock /var/lock/LCK..0 held by process 28844 created 2026-11-25 17:16:17", "cu-stale-lock", DeviceInUse,
			"UUCP_LOCK_STALE", TextResource{}},
	)
}

// TestSerialTextsInContext: the whole of what the program printed, not
// just the line that matters, still explains as the right entry.
func TestSerialTextsInContext(t *testing.T) {
	for entry, text := range map[string]string{
		// cu without permission on the device: the open error comes first,
		// and the note must say it is about permissions.
		"cu-line-in-use": "cu: open (/dev/pts/0): Permission denied\r\ncu: /dev/pts/0: Line in use\r\n",
		"pyserial-exclusive": `Traceback (most recent call last):
  File "/usr/lib/python3/dist-packages/serial/serialposix.py", line 332, in open
    fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
BlockingIOError: [Errno 11] Resource temporarily unavailable

During handling of the above exception, another exception occurred:

    raise SerialException(msg.errno, "Could not exclusively lock port {}: {}".format(self._port, msg))
serial.serialutil.SerialException: [Errno 11] Could not exclusively lock port /dev/ttyACM0: [Errno 11] Resource temporarily unavailable`,
		"picocom-lock": "picocom v3.1\r\n\r\nport is        : /dev/ttyUSB0\r\nFATAL: cannot lock /dev/ttyUSB0: Resource temporarily unavailable\r\n",
	} {
		m := Explain(text)
		if m.Entry != entry || m.Family != DeviceInUse || m.Resource.Kind != vpnport.Device || m.Resource.Path == "" {
			t.Errorf("Explain(%q) = %s %s %+v, want %s naming the device", text, m.Entry, m.Family, m.Resource, entry)
		}
		if entry == "cu-line-in-use" && !strings.Contains(m.Explanation, "Permission denied") {
			t.Errorf("cu explanation does not mention the permission case: %s", m.Explanation)
		}
	}
}
