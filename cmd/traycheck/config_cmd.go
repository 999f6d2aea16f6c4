package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/traycheck/traycheck/internal/config"
)

func configUsage(e *env) {
	fmt.Fprintln(e.stderr, "usage: traycheck config path")
	fmt.Fprintln(e.stderr, "       traycheck config init [--force] [--config FILE]")
	fmt.Fprintln(e.stderr, "       traycheck config validate [--config FILE]")
}

func runConfig(_ context.Context, e *env, args []string) error {
	if len(args) == 0 {
		configUsage(e)
		return errPrinted
	}
	switch args[0] {
	case "path":
		return configPath(e, args[1:])
	case "init":
		return configInit(e, args[1:])
	case "validate":
		return configValidate(e, args[1:])
	case "help", "-h", "--help":
		configUsage(e)
		return nil
	}
	configUsage(e)
	return usageError(fmt.Errorf("unknown subcommand %q", args[0]))
}

// configPath prints where traycheck reads its config on stdout (alone, so
// scripts can use it) and whether the file exists on stderr.
func configPath(e *env, args []string) error {
	if _, err := parse(newFlagSet(e, "config path", "traycheck config path"), args, 0); err != nil {
		return err
	}
	p, err := config.DefaultPath()
	if err != nil {
		return usageError(err)
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
	flags := newFlagSet(e, "config init", "traycheck config init [--force] [--config FILE]")
	force := flags.Bool("force", false, "overwrite an existing config file")
	path := flags.String("config", "", "write to `FILE` instead of the default path")
	if _, err := parse(flags, args, 0); err != nil {
		return err
	}
	p := *path
	if p == "" {
		var err error
		if p, err = config.DefaultPath(); err != nil {
			return usageError(err)
		}
	}
	if err := config.WriteDefault(p, *force); err != nil {
		return usageError(err)
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", p)
	return nil
}

func configValidate(e *env, args []string) error {
	flags := newFlagSet(e, "config validate", "traycheck config validate [--config FILE]")
	path := configFlag(flags)
	if _, err := parse(flags, args, 0); err != nil {
		return err
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: ok (%d ports, %d ssh forward ports, %d devices, interval %s)\n", cfg.Source, len(cfg.Ports), len(cfg.SSHForwardPorts), len(cfg.Devices), cfg.Interval)
	return nil
}
