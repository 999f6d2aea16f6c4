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

func configUsage(e *env) {
	fmt.Fprintln(e.stderr, "usage: traycheck config path")
	fmt.Fprintln(e.stderr, "       traycheck config init [--force] [--discover] [--config FILE]")
	fmt.Fprintln(e.stderr, "       traycheck config validate [--config FILE]")
	fmt.Fprintln(e.stderr, "       traycheck config discover [--json]")
	fmt.Fprintln(e.stderr, "       traycheck config show [--json] [--config FILE]")
}

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
	case "help", "-h", "--help":
		configUsage(e)
		return nil
	}
	configUsage(e)
	return cli.UsageError(fmt.Errorf("unknown subcommand %q", args[0]))
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
		fmt.Fprintln(e.stderr, "does not exist: traycheck uses the embedded default; `traycheck config init` writes it there")
	default:
		fmt.Fprintf(e.stderr, "cannot be read: %v\n", err)
	}
	return nil
}

func configInit(e *env, args []string) error {
	flags := cli.NewFlagSet(e.stderr, "config init", "traycheck config init [--force] [--discover] [--config FILE]")
	force := flags.Bool("force", false, "overwrite an existing config file")
	disc := flags.Bool("discover", false, "write in what the VPN's own configuration files say (see `traycheck config discover`)")
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
	text := config.DefaultTOML()
	if *disc {
		var err error
		if text, err = discover.TOML(discover.Discover(context.Background(), discoverSources())); err != nil {
			return cli.UsageError(err)
		}
	}
	if err := config.WriteText(p, text, *force); err != nil {
		return cli.UsageError(err)
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", p)
	return nil
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
