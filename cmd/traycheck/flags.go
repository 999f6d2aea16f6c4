package main

import (
	"context"

	"github.com/traycheck/traycheck/internal/cli"
	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/discover"
)

// loadConfig loads the config of a command's --config flag ("" for the
// default path, or the embedded default with what discovery finds when that
// file does not exist) under the machine policy. Its error is printed as it
// is: it starts with FILE:LINE:COL (or names the registry value).
func loadConfig(path string) (*config.Config, error) {
	l, err := loadLayers(path)
	if err != nil {
		return nil, err
	}
	return l.Effective, nil
}

// discoverSources is where discovery looks (tests point it at their own
// files).
var discoverSources = discover.DefaultSources

func loadLayers(path string) (discover.Layers, error) {
	l, err := discover.Load(context.Background(), path, discoverSources(), actionIDs())
	if err != nil {
		return l, &cli.Error{Code: cli.ExitUsage, Err: err, Bare: true}
	}
	return l, nil
}

// actionIDs are the action ids a machine policy may forbid.
func actionIDs() []string {
	var actions []string
	for _, a := range diagnose.Actions {
		actions = append(actions, string(a))
	}
	return actions
}
