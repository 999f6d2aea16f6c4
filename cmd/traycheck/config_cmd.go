package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"

	"github.com/traycheck/traycheck/internal/config"
)

func init() {
	register(&command{name: "config", summary: "config path | init [--force] | validate: manage the config file", run: runConfig})
}

func configUsage(e *env) {
	fmt.Fprintln(e.stderr, "usage: traycheck config path")
	fmt.Fprintln(e.stderr, "       traycheck config init [--force] [--config FILE]")
	fmt.Fprintln(e.stderr, "       traycheck config validate [--config FILE]")
}

func runConfig(_ context.Context, e *env, args []string) int {
	if len(args) == 0 {
		configUsage(e)
		return exitUsage
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
		return exitOK
	}
	fmt.Fprintf(e.stderr, "traycheck config: unknown subcommand %q\n", args[0])
	configUsage(e)
	return exitUsage
}

// configPath prints where traycheck reads its config on stdout (alone, so
// scripts can use it) and whether the file exists on stderr.
func configPath(e *env, args []string) int {
	flags := flag.NewFlagSet("config path", flag.ContinueOnError)
	if code, ok := parseFlags(e, flags, args); !ok {
		return code
	}
	p, err := config.DefaultPath()
	if err != nil {
		fmt.Fprintf(e.stderr, "traycheck config path: %v\n", err)
		return exitUsage
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
	return exitOK
}

func configInit(e *env, args []string) int {
	flags := flag.NewFlagSet("config init", flag.ContinueOnError)
	force := flags.Bool("force", false, "overwrite an existing config file")
	path := flags.String("config", "", "write to `FILE` instead of the default path")
	if code, ok := parseFlags(e, flags, args); !ok {
		return code
	}
	p := *path
	if p == "" {
		var err error
		if p, err = config.DefaultPath(); err != nil {
			fmt.Fprintf(e.stderr, "traycheck config init: %v\n", err)
			return exitUsage
		}
	}
	if err := config.WriteDefault(p, *force); err != nil {
		fmt.Fprintf(e.stderr, "traycheck config init: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", p)
	return exitOK
}

func configValidate(e *env, args []string) int {
	flags := flag.NewFlagSet("config validate", flag.ContinueOnError)
	path := flags.String("config", "", "validate `FILE` instead of the default path")
	if code, ok := parseFlags(e, flags, args); !ok {
		return code
	}
	cfg, code := loadConfig(e, *path)
	if cfg == nil {
		return code
	}
	fmt.Fprintf(e.stdout, "%s: ok (%d ports, %d ssh forward ports, %d devices, interval %s)\n", cfg.Source, len(cfg.Ports), len(cfg.SSHForwardPorts), len(cfg.Devices), cfg.Interval)
	return exitOK
}

// loadConfig loads the config for a subcommand: path is its --config flag
// ("" for the default path, or the embedded default when that file does
// not exist). On error it prints the error, which starts with FILE:LINE:COL
// so editors can jump to it, and returns nil and exitUsage.
func loadConfig(e *env, path string) (*config.Config, int) {
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return nil, exitUsage
	}
	return cfg, exitOK
}
