package explain

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// ResolvePaths completes a device text that names no /dev node: the first
// path it names that resolves (through links) to a character device
// becomes its resource, as a udev-style link outside /dev may be.
func ResolvePaths(m diagnose.Match) diagnose.Match {
	if m.Resource.Path != "" || m.Resource.Port != 0 {
		return m
	}
	for _, p := range m.Paths {
		if fi, err := os.Stat(p); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			m.Resource = diagnose.TextResource{Kind: vpnport.Device, Path: p}
			return m
		}
	}
	return m
}

// Check checks what the matched text m names (or, without a resource, what
// cfg lists that the family concerns) once, and returns the scope and the
// findings. Its error is the probe's, naming what was checked.
func Check(ctx context.Context, m diagnose.Match, cfg *config.Config) (Scope, []diagnose.Finding, error) {
	sc := Resources(m, cfg)
	var findings []diagnose.Finding
	if len(sc.RS) > 0 {
		dc := monitor.DiagnoseContext(cfg, time.Now())
		dc.VPNClients = slices.Concat(dc.VPNClients, diagnose.ProgramClients(m.Program))
		// Only a text that names the resource proves a program just failed
		// to get it, so that whoever holds it is not that program. A text
		// without a port may come from the very process still holding its
		// other ports (charon keeps running), and one client holding its
		// own port is the VPN working.
		dc.Contended = sc.Kind == ScopeNamed && !m.Resource.AnyProto
		obs, fs, err := monitor.Once(ctx, sc.RS, dc)
		if err != nil {
			return sc, nil, fmt.Errorf("checking %s: %w", List(sc.RS), err)
		}
		findings = fs
		// A text that does not say tcp or udp failed on the held one when
		// only one is held; with both held it may have been either, and the
		// client on the other is someone's working VPN.
		if sc.Kind == ScopeNamed && m.Resource.AnyProto && Held(obs) == 1 {
			dc.Contended = true
			findings = diagnose.DiagnoseAll(obs, dc)
		}
		// A program that failed on the port it names, or that says it
		// already runs, meets its own first copy there: a second copy.
		if dc.Contended || m.SecondStart {
			for i := range findings {
				findings[i] = diagnose.SecondCopy(findings[i], m.Program, dc)
			}
		}
	}
	return sc, findings, nil
}
