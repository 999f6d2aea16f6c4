// Package portnum is the one rule for reading a port number written by a
// person, a configuration file or another program's output: decimal digits
// only (no sign, no spaces, no hex), a value from 1 to 65535. Every parser in
// traycheck (config, discovery, the command line, explain, freeport) uses it,
// so "+80" or "0x50" cannot mean a port in one place and an error in another.
package portnum

import (
	"errors"
	"fmt"
	"strings"
)

// ErrZero is wrapped by Parse for "0": a valid number that names no port
// (WireGuard's ListenPort = 0 and ssh's dynamic forwards use it for "any
// port"), so callers that give 0 a meaning can tell it from a typo.
var ErrZero = errors.New("port 0 names no port")

// Parse reads s as a port: one or more ASCII digits (leading zeros allowed,
// as ssh's and OpenVPN's own parsers allow them) whose value is 1..65535.
func Parse(s string) (uint16, error) {
	if s == "" {
		return 0, fmt.Errorf("port %q is not a number from 1 to 65535", s)
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("port %q is not a number from 1 to 65535", s)
		}
		n = n*10 + int(c-'0')
		if n > 65535 {
			return 0, fmt.Errorf("port %q is not a number from 1 to 65535", s)
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("port %q is not a number from 1 to 65535 (%w)", s, ErrZero)
	}
	return uint16(n), nil
}

// ParseRange reads "LO-HI" (or a single port, LO = HI), both ends by Parse
// and LO <= HI.
func ParseRange(s string) (lo, hi uint16, err error) {
	a, b, ok := strings.Cut(s, "-")
	if lo, err = Parse(a); err != nil {
		return 0, 0, fmt.Errorf("range %q: %w", s, err)
	}
	if !ok {
		return lo, lo, nil
	}
	if hi, err = Parse(b); err != nil {
		return 0, 0, fmt.Errorf("range %q: %w", s, err)
	}
	if hi < lo {
		return 0, 0, fmt.Errorf("range %q: %d is below %d", s, hi, lo)
	}
	return lo, hi, nil
}
