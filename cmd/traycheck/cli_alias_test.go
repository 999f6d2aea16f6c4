package main

import "github.com/traycheck/traycheck/internal/cli"

// The tests' short names for the exit codes and the printer.
const (
	exitOK        = cli.ExitOK
	exitAttention = cli.ExitAttention
	exitUsage     = cli.ExitUsage
	exitProbe     = cli.ExitProbe
)

func printError(e *env, name string, err error) int { return cli.PrintError(e.stderr, name, err) }
