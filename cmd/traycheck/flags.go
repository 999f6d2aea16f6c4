package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/discover"
)

// newFlagSet is every command's flag set: errors go to stderr, and usage
// prints the command's synopsis lines, then its flags.
func newFlagSet(e *env, name string, synopsis ...string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		for i, s := range synopsis {
			if i == 0 {
				s = "usage: " + s
			}
			fmt.Fprintln(e.stderr, s)
		}
		fs.PrintDefaults()
	}
	return fs
}

// configFlag is the shared --config flag.
func configFlag(fs *flag.FlagSet) *string {
	return fs.String("config", "", "config `FILE` (default: the user config file, else the embedded default)")
}

// jsonFlag is the shared --json flag; what says what is printed as JSON.
func jsonFlag(fs *flag.FlagSet, what string) *bool {
	return fs.Bool("json", false, "print "+what+" as JSON")
}

// parse parses args with flags anywhere among the positional arguments
// (`traycheck check 8080 --json` as well as `check --json 8080`), which the
// flag package alone stops doing at the first positional one, and returns
// those. maxArgs < 0 allows any number. Positional arguments never start
// with "-", so nothing is ambiguous.
func parse(fs *flag.FlagSet, args []string, maxArgs int) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitStatus(exitOK)
			}
			return nil, errPrinted // flag has printed the error and the usage
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if maxArgs >= 0 && len(rest) > maxArgs {
		fs.Usage()
		return nil, usageError(fmt.Errorf("unexpected argument %q", rest[maxArgs]))
	}
	return rest, nil
}

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
	var actions []string
	for _, a := range diagnose.Actions {
		actions = append(actions, string(a))
	}
	l, err := discover.Load(context.Background(), path, discoverSources(), actions)
	if err != nil {
		return l, &cliError{code: exitUsage, err: err, bare: true}
	}
	return l, nil
}
