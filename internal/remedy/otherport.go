package remedy

import (
	"context"
	"fmt"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/freeport"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// Suggestion is a free local port to use instead of a taken one, and, when
// the port belongs to an ssh forward, the ssh command rewritten to use it.
type Suggestion struct {
	Port    uint16
	Command string // "" when no ssh command was found to rewrite
}

// SuggestPort finds a free port near f's port (skipping the ephemeral range
// and f's reserved range, verified by a probe bind on address) and rewrites
// the first ssh command among cmds, then the holders' command lines, whose
// -L forward uses the taken port. cmds come first because they are what the
// user ran (explain's pasted text); a holder's is an old forward to replace.
func SuggestPort(ctx context.Context, f diagnose.Finding, address string, cmds [][]string) (Suggestion, error) {
	r := f.Resource
	if r.Kind == vpnport.Device {
		return Suggestion{}, fmt.Errorf("%w: %s is a device, not a port", ErrRefused, r)
	}
	req := freeport.Request{Proto: r.Kind, Address: address, Want: r.Port}
	if f.Reserved != nil {
		req.Reserved = []vpnport.PortRange{*f.Reserved}
	}
	port, err := freeport.Suggest(ctx, req)
	if err != nil {
		return Suggestion{}, err
	}
	s := Suggestion{Port: port}
	for _, h := range f.Holders {
		if len(h.Cmdline) > 0 {
			cmds = append(cmds, h.Cmdline)
		}
	}
	for _, argv := range cmds {
		if out, ok := freeport.RewriteSSH(argv, r.Port, port); ok {
			s.Command = freeport.FormatArgv(out)
			break
		}
	}
	return s, nil
}

// useOtherPort is the use-other-port action: it changes nothing, it tells
// the user which port is free now and how to use it.
func (r *Runner) useOtherPort(ctx context.Context, f diagnose.Finding) (Result, error) {
	s, err := SuggestPort(ctx, f, "", nil)
	if err != nil {
		return Result{}, fmt.Errorf("finding a free port near %s: %w", f.Resource, err)
	}
	msg := fmt.Sprintf("%s/%d is free now: use it instead of %s.", f.Resource.Kind, s.Port, f.Resource)
	if s.Command != "" {
		msg += " For the ssh forward: " + s.Command
	}
	return Result{Message: msg, Suggested: &s}, nil
}
