package main

import (
	"context"

	"github.com/traycheck/traycheck/internal/cli"
	"github.com/traycheck/traycheck/internal/session"
)

// The tests' short names for what moved to internal/cli and
// internal/session.
const (
	exitOK        = cli.ExitOK
	exitAttention = cli.ExitAttention
	exitUsage     = cli.ExitUsage
	exitProbe     = cli.ExitProbe
)

func printError(e *env, name string, err error) int { return cli.PrintError(e.stderr, name, err) }

func forwardActionURI(ctx context.Context, e *env, uri string) error {
	return session.ForwardActionURI(ctx, e.stdout, e.log, uri)
}
