// Package netsh reads Windows' excluded (reserved) port ranges from the
// output of `netsh int ipv4|ipv6 show excludedportrange`, and caches them.
// It returns its own Range records; vpnport turns them into PortRanges. The
// parser has no OS suffix so its fixtures (seven display languages) are
// tested everywhere; the command itself is run by the caller.
package netsh

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

// maxRanges bounds how many ranges one netsh output may yield, so a
// runaway or hostile output cannot grow memory without limit (real machines
// show a handful; Hyper-V hosts a few dozen).
const maxRanges = 4096

// Range is one excluded range, inclusive.
type Range struct {
	// Proto is "tcp" or "udp", from the command that listed it.
	Proto string
	Start uint16
	End   uint16
	// Administered marks a range an administrator added (netsh's "*").
	Administered bool
}

// Parse reads the output of
// `netsh int ipv4|ipv6 show excludedportrange protocol=tcp|udp`.
//
// The headings and footnote are translated into the display language and
// printed in the console's OEM code page, so the parser never reads them: a
// row is a line whose fields are exactly two decimal port numbers, optionally
// followed by "*", which marks a range an administrator added. Any other line
// is ignored. proto is taken from the command line, not the output.
func Parse(r io.Reader, proto string) ([]Range, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 512), 64<<10)
	var out []Range
	line := 0
	for sc.Scan() {
		line++
		f := bytes.Fields(sc.Bytes())
		if len(f) < 2 || len(f) > 3 || !digits(f[0]) || !digits(f[1]) {
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
		if len(out) == maxRanges {
			return nil, fmt.Errorf("netsh output: more than %d port ranges", maxRanges)
		}
		out = append(out, Range{Proto: proto, Start: uint16(start), End: uint16(end), Administered: admin})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading netsh output: %w", err)
	}
	return out, nil
}

func digits(b []byte) bool {
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

// queries are the argv tails run to read every excluded range: both
// protocols, both address families (a dual-stack bind fails in either).
var queries = [][]string{
	{"int", "ipv4", "show", "excludedportrange", "protocol=tcp"},
	{"int", "ipv4", "show", "excludedportrange", "protocol=udp"},
	{"int", "ipv6", "show", "excludedportrange", "protocol=tcp"},
	{"int", "ipv6", "show", "excludedportrange", "protocol=udp"},
}

// TTL is how long excluded ranges are reused before netsh runs
// again. netsh takes a few hundred milliseconds per call and the ranges change
// only when Hyper-V, WinNAT or an administrator changes them, so a poll every
// few seconds must not run it each time.
const TTL = 30 * time.Second

// Cache caches the excluded port ranges. Run executes netsh with the given
// arguments (argv, no shell) and returns its stdout; TTL is how long an
// answer is reused (TTL, or 0 for a one-off read). Tests replace Run.
type Cache struct {
	Run func(ctx context.Context, args []string) ([]byte, error)
	TTL time.Duration

	mu     sync.Mutex
	at     time.Time
	ranges []Range
	err    error
}

// Get returns the ranges, running netsh when the cache is older than TTL.
// A failed read is cached too, so a machine without netsh is not asked again
// on every poll.
func (c *Cache) Get(ctx context.Context, now time.Time) ([]Range, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && now.Sub(c.at) < c.TTL && now.After(c.at.Add(-time.Second)) {
		return c.ranges, c.err
	}
	var all []Range
	var errs []error
	for _, q := range queries {
		out, err := c.Run(ctx, q)
		if err != nil {
			errs = append(errs, fmt.Errorf("netsh %s %s: %w", q[1], q[4], err))
			continue
		}
		proto := "tcp"
		if q[4] == "protocol=udp" {
			proto = "udp"
		}
		rs, err := Parse(bytes.NewReader(out), proto)
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
