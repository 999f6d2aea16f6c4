package trigger

import (
	"fmt"
	"log/slog"
)

// NetworkManager listens on the system bus for NetworkManager's own account
// of a failure: a VPN connection's VpnStateChanged to FAILED or
// DISCONNECTED with a reason, and a modem device's StateChanged to FAILED
// with a modem reason (busy, no dial tone, no carrier). Any user may
// receive these signals. Linux only; elsewhere Start says so.
type NetworkManager struct {
	// Address is the system bus address; "" means the system bus
	// (DBUS_SYSTEM_BUS_ADDRESS, else the standard socket).
	Address string
	Log     *slog.Logger
}

// Name implements Source.
func (n *NetworkManager) Name() string { return "networkmanager" }

// NetworkManager's VPN connection states (NMVpnConnectionState).
const (
	nmVPNActivated    = 5
	nmVPNFailed       = 6
	nmVPNDisconnected = 7
)

// nmVPNReasons are NMActiveConnectionStateReason's names, as nmcli prints
// them; the event's Code.
var nmVPNReasons = map[uint32]string{
	0: "unknown", 1: "none", 2: "user-disconnected", 3: "device-disconnected", 4: "service-stopped",
	5: "ip-config-invalid", 6: "connect-timeout", 7: "service-start-timeout", 8: "service-start-failed",
	9: "no-secrets", 10: "login-failed", 11: "connection-removed", 12: "dependency-failed",
	13: "device-realize-failed", 14: "device-removed",
}

// nmVPNReasonName is reason's name, or its number when unknown.
func nmVPNReasonName(r uint32) string {
	if s, ok := nmVPNReasons[r]; ok {
		return s
	}
	return fmt.Sprint(r)
}

// nmVPNIsFailure says whether a VPN state change is a failure worth a
// check: FAILED always, DISCONNECTED unless the user or NetworkManager
// ended it on purpose.
func nmVPNIsFailure(state, reason uint32) bool {
	switch state {
	case nmVPNFailed:
		return true
	case nmVPNDisconnected:
		switch reason {
		case 1, 2, 11: // none, user-disconnected, connection-removed
			return false
		}
		return true
	}
	return false
}

// Device states and the modem reasons of NMDeviceStateReason.
const (
	nmDeviceActivated = 100
	nmDeviceFailed    = 120
)

var nmModemReasons = map[uint32]string{
	23: "modem-busy", 24: "modem-no-dial-tone", 25: "modem-no-carrier", 26: "modem-dial-timeout",
	27: "modem-dial-failed", 28: "modem-init-failed",
	12: "ppp-start-failed", 13: "ppp-disconnect", 14: "ppp-failed",
}
