package monitor

import (
	"context"
	"fmt"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// DiagnoseContext is what diagnosis needs from cfg for a check at now: the
// loop's checks and the one-shot ones (check, explain, the report) judge
// with the same clients, forward ports and adapter.
func DiagnoseContext(cfg *config.Config, now time.Time) diagnose.Context {
	var forbidden []diagnose.Action
	for _, a := range cfg.ForbidActions() {
		forbidden = append(forbidden, diagnose.Action(a))
	}
	return diagnose.Context{
		Forbidden:         forbidden,
		Now:               now,
		VPNClients:        cfg.Clients,
		SSHForwardPorts:   cfg.SSHForwardPorts,
		AdapterConfigured: cfg.Adapter != "",
	}
}

// Once is one check of rs outside the loop: a probe and a diagnosis with
// dc. It is asked for by a person (`traycheck check`, explain, the report),
// so it may open a device when the passive scan cannot tell.
func Once(ctx context.Context, rs []vpnport.Resource, dc diagnose.Context) ([]vpnport.Observation, []diagnose.Finding, error) {
	if len(rs) == 0 {
		return nil, nil, nil
	}
	p := vpnport.New()
	defer p.Close()
	// The same deadline as the loop's: a device or lock file on a hung file
	// system fails the check instead of hanging the command.
	ctx, cancel := context.WithTimeout(ctx, DefaultProbeTimeout)
	defer cancel()
	obs, err := p.Probe(ctx, rs, vpnport.ProbeOptions{Person: true, Clients: dc.VPNClients})
	if err != nil {
		return nil, nil, fmt.Errorf("probe failed: %w", err)
	}
	return obs, diagnose.DiagnoseAll(obs, dc), nil
}
