package vpnport

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"
)

// netshMaxRanges bounds how many ranges one netsh output may yield, so a
// runaway or hostile output cannot grow memory without limit (real machines
// show a handful; Hyper-V hosts a few dozen).
const netshMaxRanges = 4096

// parseExcludedRanges reads the output of
// `netsh int ipv4|ipv6 show excludedportrange protocol=tcp|udp`.
//
// The headings and footnote are translated into the display language and
// printed in the console's OEM code page, so the parser never reads them: a
// row is a line whose fields are exactly two decimal port numbers, optionally
// followed by "*", which marks a range an administrator added. Any other line
// is ignored. proto is taken from the command line, not the output.
func parseExcludedRanges(r io.Reader, proto Kind) ([]PortRange, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 512), 64<<10)
	var out []PortRange
	line := 0
	for sc.Scan() {
		line++
		f := bytes.Fields(sc.Bytes())
		if len(f) < 2 || len(f) > 3 || !netshDigits(f[0]) || !netshDigits(f[1]) {
			continue
		}
		admin := false
		if len(f) == 3 {
			if string(f[2]) != "*" {
				continue
			}
			admin = true
		}
		start, err1 := strconv.ParseUint(string(f[0]), 10, 16)
		end, err2 := strconv.ParseUint(string(f[1]), 10, 16)
		if err1 != nil || err2 != nil || start == 0 || end < start {
			return nil, fmt.Errorf("netsh output line %d: %q is not a port range", line, sc.Bytes())
		}
		if len(out) == netshMaxRanges {
			return nil, fmt.Errorf("netsh output: more than %d port ranges", netshMaxRanges)
		}
		out = append(out, PortRange{Proto: proto, Start: uint16(start), End: uint16(end), Administered: admin})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading netsh output: %w", err)
	}
	return out, nil
}

func netshDigits(b []byte) bool {
	if len(b) == 0 || len(b) > 5 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// netshQueries are the argv tails run to read every excluded range: both
// protocols, both address families (a dual-stack bind fails in either).
var netshQueries = [][]string{
	{"int", "ipv4", "show", "excludedportrange", "protocol=tcp"},
	{"int", "ipv4", "show", "excludedportrange", "protocol=udp"},
	{"int", "ipv6", "show", "excludedportrange", "protocol=tcp"},
	{"int", "ipv6", "show", "excludedportrange", "protocol=udp"},
}

// NetshRangesTTL is how long excluded ranges are reused before netsh runs
// again. netsh takes a few hundred milliseconds per call and the ranges change
// only when Hyper-V, WinNAT or an administrator changes them, so a poll every
// few seconds must not run it each time.
const NetshRangesTTL = 30 * time.Second

// netshRanges caches the excluded port ranges. run executes netsh with the
// given arguments (argv, no shell) and returns its stdout; tests replace it.
type netshRanges struct {
	run func(ctx context.Context, args []string) ([]byte, error)
	ttl time.Duration

	mu     sync.Mutex
	at     time.Time
	ranges []PortRange
	err    error
}

// get returns the ranges, running netsh when the cache is older than ttl.
// A failed read is cached too, so a machine without netsh is not asked again
// on every poll.
func (c *netshRanges) get(ctx context.Context, now time.Time) ([]PortRange, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && now.Sub(c.at) < c.ttl && now.After(c.at.Add(-time.Second)) {
		return c.ranges, c.err
	}
	var all []PortRange
	var errs []error
	for _, q := range netshQueries {
		out, err := c.run(ctx, q)
		if err != nil {
			errs = append(errs, fmt.Errorf("netsh %s %s: %w", q[1], q[4], err))
			continue
		}
		proto := TCP
		if q[4] == "protocol=udp" {
			proto = UDP
		}
		rs, err := parseExcludedRanges(bytes.NewReader(out), proto)
		if err != nil {
			errs = append(errs, fmt.Errorf("netsh %s %s: %w", q[1], q[4], err))
			continue
		}
		all = append(all, rs...)
	}
	if ctx.Err() != nil {
		// A cancelled probe says nothing about netsh: do not cache it.
		return all, errors.Join(errs...)
	}
	c.at, c.ranges, c.err = now, all, errors.Join(errs...)
	return c.ranges, c.err
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
