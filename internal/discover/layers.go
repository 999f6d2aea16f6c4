package discover

import (
	"context"

	"github.com/traycheck/traycheck/internal/config"
)

// Layers is how the config traycheck runs with came about, lowest layer
// first: the embedded default, what discovery found (only when there is no
// config file: the user's file is the user's word), the user's file, and the
// machine policy over all of them.
type Layers struct {
	Effective  *config.Config
	User       *config.Config // nil without a config file
	Discovered *config.Config // nil when discovery did not run
	Found      []Found
	Policy     *config.Policy // nil without a machine policy
}

// Load loads the config at path as config.Load does, adds discovery when it
// is the embedded default, and applies the machine policy. actions are the
// action ids the policy may forbid. A config or policy that does not parse is
// an error (a *config.Error naming its place): traycheck never runs without
// the administrator's limits.
func Load(ctx context.Context, path string, s Sources, actions []string) (Layers, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return Layers{}, err
	}
	var l Layers
	if cfg.Source == config.EmbeddedSource {
		l.Found = Discover(ctx, s)
		l.Discovered = Apply(cfg, l.Found)
		cfg = l.Discovered
	} else {
		l.User = cfg
	}
	pol, err := config.LoadMachinePolicy(actions)
	if err != nil {
		return Layers{}, err
	}
	l.Policy = pol
	l.Effective = pol.Apply(cfg)
	return l, nil
}

// Settings lists the effective values with their sources, for `traycheck
// config show`.
func (l Layers) Settings() []config.Setting {
	return config.Show(l.Effective, l.User, l.Discovered, l.Policy)
}
