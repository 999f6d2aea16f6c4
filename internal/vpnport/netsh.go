package vpnport

import (
	"context"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport/netsh"
)

// NetshRangesTTL is how long excluded ranges are reused before netsh runs
// again (see netsh.TTL).
const NetshRangesTTL = netsh.TTL

// netshRanges is the probe's cache of Windows' excluded port ranges.
type netshRanges struct{ c netsh.Cache }

func newNetshRanges(run func(ctx context.Context, args []string) ([]byte, error), ttl time.Duration) *netshRanges {
	return &netshRanges{c: netsh.Cache{Run: run, TTL: ttl}}
}

// get returns the ranges as PortRanges (see netsh.Cache.Get).
func (r *netshRanges) get(ctx context.Context, now time.Time) ([]PortRange, error) {
	rs, err := r.c.Get(ctx, now)
	var out []PortRange
	for _, x := range rs {
		out = append(out, PortRange{Proto: Kind(x.Proto), Start: x.Start, End: x.End, Administered: x.Administered})
	}
	return out, err
}

// rangeContaining returns the first range of r's protocol that contains r's
// port, or nil.
func rangeContaining(ranges []PortRange, r Resource) *PortRange {
	if r.Kind != TCP && r.Kind != UDP {
		return nil
	}
	for i := range ranges {
		pr := ranges[i]
		if pr.Proto == r.Kind && pr.Start <= r.Port && r.Port <= pr.End {
			return &pr
		}
	}
	return nil
}
