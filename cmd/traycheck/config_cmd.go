package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/traycheck/traycheck/internal/cli"
	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/discover"
)

const configSynopsis = `usage: traycheck config path
       traycheck config init [--force] [--discover] [--config FILE]
       traycheck config validate [--config FILE]
       traycheck config discover [--json]
       traycheck config show [--json] [--config FILE]

` + "`traycheck help config SUBCOMMAND`" + ` shows a subcommand's flags.
`

func configUsage(e *env) { fmt.Fprint(e.stderr, configSynopsis) }

func runConfig(_ context.Context, e *env, args []string) error {
	if len(args) == 0 {
		configUsage(e)
		return cli.ErrPrinted
	}
	switch args[0] {
	case "path":
		return configPath(e, args[1:])
	case "init":
		return configInit(e, args[1:])
	case "validate":
		return configValidate(e, args[1:])
	case "discover":
		return configDiscover(e, args[1:])
	case "show":
		return configShow(e, args[1:])
	case "help", "-h", "--help", "-help":
		return &cli.Help{Text: configSynopsis}
	}
	return cli.UsageError(fmt.Errorf("unknown subcommand %q", args[0]), suggestWord(args[0], "path", "init", "validate", "discover", "show")...)
}

// configPath prints where traycheck reads its config on stdout (alone, so
// scripts can use it) and whether the file exists on stderr.
func configPath(e *env, args []string) error {
	if _, err := cli.Parse(cli.NewFlagSet(e.stderr, "config path", "traycheck config path"), args, 0); err != nil {
		return err
	}
	p, err := config.DefaultPath()
	if err != nil {
		return cli.UsageError(err)
	}
	fmt.Fprintln(e.stdout, p)
	switch _, err := os.Stat(p); {
	case err == nil:
		fmt.Fprintln(e.stderr, "exists")
	case errors.Is(err, fs.ErrNotExist):
		fmt.Fprintln(e.stderr, "does not exist: traycheck uses discovery and the defaults; `traycheck config init` writes a file with every key commented out there")
	default:
		fmt.Fprintf(e.stderr, "cannot be read: %v\n", err)
	}
	return nil
}

func configInit(e *env, args []string) error {
	flags := cli.NewFlagSet(e.stderr, "config init", "traycheck config init [--force] [--discover] [--config FILE]")
	force := flags.Bool("force", false, "overwrite an existing config file")
	disc := flags.Bool("discover", false, "kept for compatibility: discovery stays live either way, and the file's comments show what it found")
	path := flags.String("config", "", "write to `FILE` instead of the default path")
	if _, err := cli.Parse(flags, args, 0); err != nil {
		return err
	}
	p := *path
	if p == "" {
		var err error
		if p, err = config.DefaultPath(); err != nil {
			return cli.UsageError(err)
		}
	}
	// --discover is kept so scripts that pass it still work: discovery is
	// live whatever the file says (unless it says discover = false), and
	// the comments show what it found, with or without the flag.
	_ = *disc
	if err := config.WriteText(p, config.UserFileText(p), *force); err != nil {
		return cli.UsageError(err)
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", p)
	fmt.Fprintln(e.stderr, "every key in it is commented out, showing today's value and its source: nothing changed; uncomment a key to set it")
	return nil
}

func init() { config.SetInitText(initText) }

// initText renders the commented file with the values that stay in force
// once it exists: the policy, discovery and the defaults (the layers below
// the user's file, which --force replaces).
func initText(path string) ([]byte, error) {
	l, err := discover.LoadBelowUser(context.Background(), discoverSources(), actionIDs())
	if err != nil {
		return nil, err
	}
	return l.InitTOML(path), nil
}

func configValidate(e *env, args []string) error {
	flags := cli.NewFlagSet(e.stderr, "config validate", "traycheck config validate [--config FILE]")
	path := cli.ConfigFlag(flags)
	if _, err := cli.Parse(flags, args, 0); err != nil {
		return err
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: ok (%d ports, %d ssh forward ports, %d devices, interval %s)\n", cfg.Source, len(cfg.Ports), len(cfg.SSHForwardPorts), len(cfg.Devices), cfg.Interval)
	return nil
}

// configDiscover is `traycheck config discover [--json]`: what the VPN's own
// configuration says it needs, and where that was read.
func configDiscover(e *env, args []string) error {
	flags := cli.NewFlagSet(e.stderr, "config discover", "traycheck config discover [--json]")
	asJSON := cli.JSONFlag(flags, "what was found")
	if _, err := cli.Parse(flags, args, 0); err != nil {
		return err
	}
	return discover.Print(e.stdout, discover.Discover(context.Background(), discoverSources()), *asJSON)
}

// configShow is `traycheck config show [--json] [--config FILE]`: every
// effective value and where it came from (default, discovered, user,
// policy).
func configShow(e *env, args []string) error {
	flags := cli.NewFlagSet(e.stderr, "config show", "traycheck config show [--json] [--config FILE]")
	asJSON := cli.JSONFlag(flags, "the values and their sources")
	path := cli.ConfigFlag(flags)
	if _, err := cli.Parse(flags, args, 0); err != nil {
		return err
	}
	l, err := loadLayers(*path)
	if err != nil {
		return err
	}
	if err := discover.Show(e.stdout, l, *asJSON); err != nil || *asJSON {
		return err
	}
	return writeTriggerStatus(e, *path)
}
