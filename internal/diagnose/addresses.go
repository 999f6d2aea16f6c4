package diagnose

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// Two processes on one port often hold different addresses: an old ssh on
// 127.0.0.1 and the user's new one on [::1]. A message that only lists them
// invites the user to end their own tunnel, so it says who holds which
// address, and for copies of one program which one is older.

// holderAddrs maps each PID to the distinct local addresses of the live
// sockets it holds, in socket order.
func holderAddrs(socks []vpnport.Socket) map[int][]netip.Addr {
	m := map[int][]netip.Addr{}
	for _, s := range socks {
		if s.State == vpnport.StateTimeWait {
			continue
		}
		for _, pid := range s.PIDs {
			if a := s.Local.Addr(); !slices.Contains(m[pid], a) {
				m[pid] = append(m[pid], a)
			}
		}
	}
	return m
}

// addrText renders an address as ssh and ss print it: 127.0.0.1, [::1],
// and says what a wildcard covers.
func addrText(a netip.Addr) string {
	switch {
	case a == netip.IPv4Unspecified():
		return "0.0.0.0 (every IPv4 address)"
	case a == netip.IPv6Unspecified():
		return "[::] (every address)"
	case a.Is4() || a.Is4In6():
		return a.Unmap().String()
	}
	return "[" + a.String() + "]"
}

// differentAddrs reports whether the holders hold different sets of
// addresses, the only case in which naming them helps.
func differentAddrs(hs []vpnport.Holder, m map[int][]netip.Addr) bool {
	var first []netip.Addr
	for i, h := range hs {
		a := slices.SortedFunc(slices.Values(m[h.PID]), netip.Addr.Compare)
		if i == 0 {
			first = a
		} else if !slices.Equal(first, a) {
			return true
		}
	}
	return false
}

// holdersAtText is HoldersText with each holder's addresses:
// "python3 (PID 1, ...) on 127.0.0.1 and ssh (PID 2, ...) on [::1]".
func holdersAtText(hs []vpnport.Holder, m map[int][]netip.Addr) string {
	parts := make([]string, len(hs))
	for i, h := range hs {
		parts[i] = HolderText(h) + onAddrs(m[h.PID])
	}
	return joinAnd(parts)
}

func onAddrs(as []netip.Addr) string {
	if len(as) == 0 {
		return ""
	}
	t := make([]string, len(as))
	for i, a := range as {
		t[i] = addrText(a)
	}
	return " on " + joinAnd(t)
}

func joinAnd(parts []string) string {
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// oldestFirst orders copies of a program by start time, unknown times last,
// so the first is the one most likely left over and end-process's target.
func oldestFirst(hs []vpnport.Holder) []vpnport.Holder {
	out := slices.Clone(hs)
	slices.SortStableFunc(out, func(a, b vpnport.Holder) int {
		switch {
		case a.Started.IsZero() && b.Started.IsZero():
			return 0
		case a.Started.IsZero():
			return 1
		case b.Started.IsZero():
			return -1
		}
		return cmp.Compare(a.Started.UnixNano(), b.Started.UnixNano())
	})
	return out
}

// copiesText describes copies of one program, oldest first, with address
// and start time: "openvpn (PID 1, ...) on 127.0.0.1, the older (started
// Nov 25 09:00:01), and openvpn (PID 2, ...) on 127.0.0.2, the newer
// (started Nov 25 09:05:00)".
func copiesText(hs []vpnport.Holder, m map[int][]netip.Addr) string {
	withAddr := differentAddrs(hs, m)
	known := 0
	for _, h := range hs {
		if !h.Started.IsZero() {
			known++
		}
	}
	parts := make([]string, len(hs))
	for i, h := range hs {
		s := HolderText(h)
		if withAddr {
			s += onAddrs(m[h.PID])
		}
		if known == len(hs) && len(hs) > 1 {
			age := ""
			switch {
			case i == 0 && len(hs) == 2:
				age = "the older "
			case i == 0:
				age = "the oldest "
			case i == len(hs)-1 && len(hs) == 2:
				age = "the newer "
			case i == len(hs)-1:
				age = "the newest "
			}
			s += ", " + age + "(started " + h.Started.Format("Jan 2 15:04:05") + ")"
		}
		parts[i] = s
	}
	if len(parts) == 2 && known == 2 {
		return parts[0] + ", and " + parts[1]
	}
	return joinAnd(parts)
}
