// Command traycheck tells VPN and SSH users what holds the port or device their
// connection needs, and offers the fix. With no subcommand it is the tray app
// (console mode where there is no desktop); `traycheck check`, `watch`,
// `explain` and friends work the same from a terminal.
//
// This package is wiring only: flags, subcommands, exit codes and output
// format. The subcommands are listed once, in commands.
//
// Output rules: results go to stdout (JSON with --json, else one or two lines
// per resource); errors and logs go to stderr, lowercase, as "traycheck CMD:
// what failed", with the file or value at fault and what was expected, then
// any hints on lines of their own. A config error is printed as it is, since
// it starts with FILE:LINE:COL for editors. Commands return an error; only
// cli.PrintError writes one.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/traycheck/traycheck/internal/cli"
	"github.com/traycheck/traycheck/internal/lifecycle"
	"github.com/traycheck/traycheck/internal/logfile"
	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/report"
	"github.com/traycheck/traycheck/internal/session"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// env is what a subcommand may touch of the outside world, so tests can run
// it in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	log            *slog.Logger
	// journal records findings and power events for `traycheck report`
	// (nil: not kept, for one-shot commands).
	journal *report.Journal
	// textfile is `watch --textfile DIR`: where the Prometheus textfile
	// goes ("": only if the policy asks for it).
	textfile string
}

type command struct {
	name, summary string
	// run parses args (everything after the subcommand name).
	run func(ctx context.Context, e *env, args []string) error
}

// commands is every subcommand, in the order usage lists them.
var commands = []command{
	{"check", "say who holds the VPN's ports and devices, and what to do", runCheck},
	{"watch", "check in the terminal on an interval and right after every wake", runWatch},
	{"explain", "explain a pasted error message and check the port or device it names", runExplain},
	{"report", "write a diagnostic report for a helpdesk (redacted)", runReport},
	{"check-now", "make the running traycheck check now (or check once here)", runCheckNow},
	{"action", "forward a notification's action to the running traycheck", runAction},
	{"tray", "show the tray icon (what traycheck does on a desktop)", runTrayCmd},
	{"autostart", "start traycheck at login: enable, disable or status", runAutostart},
	{"config", "config path | init [--force] [--discover] | validate | discover | show: the config file", runConfig},
	{"version", "print the version (as --version does), with the Go version and OS/architecture", runVersion},
}

// completion and help read the table itself: they join it at init.
func init() {
	commands = append(commands,
		command{"completion", "print the shell completion script: bash, zsh or fish", runCompletion},
		command{"help", "show a command's usage, or what a cause or action id means", runHelp})
}

// subcommands are the second words that name what failed in an error.
var subcommands = map[string]bool{"path": true, "init": true, "validate": true, "discover": true, "show": true, "enable": true, "disable": true, "status": true}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	ctx, stop := lifecycle.ExitOnSignal(context.Background(), 700*time.Millisecond)
	defer stop()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	var logw io.Writer = os.Stderr
	if longRunning(args) {
		// The tray and the watch loop run all day: keep their log in a
		// bounded file (a GUI build on Windows has no stderr at all), and
		// their journal for the report. One-shot commands log to stderr.
		if f, err := openLogFile(); err != nil {
			fmt.Fprintf(os.Stderr, "traycheck: no log file: %v\n", err)
		} else {
			defer f.Close()
			logw = io.MultiWriter(os.Stderr, f)
		}
		if j, err := report.OpenJournal(); err != nil {
			fmt.Fprintf(os.Stderr, "traycheck: no journal for the report: %v\n", err)
		} else {
			defer j.Close()
			e.journal = j
		}
	}
	e.log = slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: logLevel()}))
	slog.SetDefault(e.log)
	name, err := dispatch(ctx, e, args)
	return finish(e, name, err)
}

// finish prints what a command returned and gives the exit code: help and
// the version on stdout (exit 0), an error on stderr.
func finish(e *env, name string, err error) int {
	var h *cli.Help
	switch {
	case errors.Is(err, cli.ErrVersion):
		fmt.Fprintln(e.stdout, versionText())
		return cli.ExitOK
	case errors.As(err, &h):
		fmt.Fprint(e.stdout, h.Text)
		return cli.ExitOK
	}
	return cli.PrintError(e.stderr, name, err)
}

// longRunning reports whether args start the tray or the watch loop (not
// when they ask for help or the version: that only prints).
func longRunning(args []string) bool {
	if cli.AsksInfo(args) {
		return false
	}
	if len(args) == 0 || (args[0] != notify.ActionURIFlag && len(args[0]) > 1 && args[0][0] == '-' && args[0] != "-h" && args[0] != "--help") {
		return true
	}
	return args[0] == "tray" || args[0] == "watch"
}

func openLogFile() (*logfile.Writer, error) {
	p, err := logfile.DefaultPath()
	if err != nil {
		return nil, err
	}
	return logfile.Open(p, 0, -1)
}

func logLevel() slog.Level {
	if os.Getenv("TRAYCHECK_DEBUG") != "" {
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

// dispatch runs the command args name and returns its name (for the error
// prefix) and result.
func dispatch(ctx context.Context, e *env, args []string) (string, error) {
	// Windows starts `traycheck.exe --action-uri URI` when a toast button is
	// clicked (the traycheck: URL scheme); it only forwards and exits.
	if len(args) == 2 && args[0] == notify.ActionURIFlag {
		return "action", session.ForwardActionURI(ctx, e.stdout, e.log, args[1])
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		return "", topHelp()
	}
	if len(args) == 0 || (len(args[0]) > 0 && args[0][0] == '-') {
		return "", runDefault(ctx, e, args)
	}
	if args[0] == completeCmd {
		return "", runComplete(ctx, e, args[1:])
	}
	c, ok := findCommand(args[0])
	if !ok {
		var hints []string
		if s := cli.Suggest(args[0], commandNames()); s != "" {
			hints = append(hints, "did you mean `traycheck "+s+"`?")
		}
		return "", cli.UsageError(fmt.Errorf("unknown command %q", args[0]), append(hints, "`traycheck help` lists the commands")...)
	}
	name := c.name
	if len(args) > 1 && subcommands[args[1]] && (c.name == "config" || c.name == "autostart") {
		name += " " + args[1] // "traycheck config init: ..."
	}
	// The commands without a flag set of their own take --version too.
	if len(args) == 2 && cli.IsVersionArg(args[1]) {
		return name, cli.ErrVersion
	}
	return name, c.run(ctx, e, args[1:])
}

func findCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func commandNames() []string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return names
}
