package freeport

import (
	"context"
	"net"
	"net/netip"
	"strconv"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// Probe reports whether port can be bound right now for proto on address,
// by binding it and closing it at once. SO_REUSEADDR is off, so TIME_WAIT
// sockets on the port count as taken. An empty address means every address:
// both the IPv4 and the IPv6 wildcard must accept (an IPv6 failure other than
// "in use" or "forbidden", as on a host without IPv6, is ignored);
// "localhost" means both loopbacks. A nil error means free.
func Probe(ctx context.Context, proto vpnport.Kind, address string, port uint16) error {
	type try struct {
		addr     string
		optional bool
	}
	var tries []try
	switch address {
	case "", "*":
		tries = []try{{"0.0.0.0", false}, {"::", true}}
	case "localhost":
		tries = []try{{"127.0.0.1", false}, {"::1", true}}
	default:
		a, err := netip.ParseAddr(address)
		if err != nil {
			return err
		}
		tries = []try{{a.String(), false}}
	}
	for _, t := range tries {
		err := bindOnce(ctx, proto, t.addr, port)
		if err != nil && (!t.optional || isBindConflict(err)) {
			return err
		}
	}
	return nil
}

func bindOnce(ctx context.Context, proto vpnport.Kind, addr string, port uint16) error {
	a := netip.MustParseAddr(addr)
	network := string(proto)
	if proto == "" {
		network = "tcp"
	}
	if a.Is4() {
		network += "4"
	} else {
		network += "6"
	}
	lc := net.ListenConfig{Control: noReuseAddr}
	hostport := net.JoinHostPort(addr, strconv.Itoa(int(port)))
	if proto == vpnport.UDP {
		c, err := lc.ListenPacket(ctx, network, hostport)
		if err != nil {
			return err
		}
		return c.Close()
	}
	l, err := lc.Listen(ctx, network, hostport)
	if err != nil {
		return err
	}
	return l.Close()
}
