// Command traycheck tells VPN and SSH users what holds the port or device their
// connection needs, and offers the fix. With no subcommand it is the tray app
// (console mode where there is no desktop); `traycheck check`, `watch`,
// `explain` and friends work the same from a terminal.
//
// This package is wiring only: flags, subcommands, exit codes and output
// format. Each subcommand lives in its own file and registers itself.
//
// Output rules: results go to stdout (JSON with --json, else one or two lines
// per resource); errors and logs go to stderr, lowercase, with the file or
// value at fault and what was expected.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/traycheck/traycheck/internal/logfile"
	"github.com/traycheck/traycheck/internal/notify"
)

// Exit codes: the public contract of every subcommand.
const (
	exitOK        = 0 // nothing needs attention
	exitAttention = 1 // a conflict or problem was found
	exitUsage     = 2 // usage or config error
	exitProbe     = 3 // the probe itself failed
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// env is what a subcommand may touch of the outside world, so tests can run
// it in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	log            *slog.Logger
	// journal writes to the log file only (never the terminal): the record
	// of findings and power events that `traycheck report` reads back.
	journal *slog.Logger
}

type command struct {
	name    string
	summary string
	// run parses args (everything after the subcommand name) and returns an
	// exit code.
	run func(ctx context.Context, e *env, args []string) int
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("duplicate command " + c.name)
	}
	commands[c.name] = c
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	ctx, stop := exitOnSignal(context.Background(), 700*time.Millisecond)
	defer stop()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	var logw io.Writer = os.Stderr
	e.journal = slog.New(slog.DiscardHandler)
	if longRunning(args) {
		// The tray and the watch loop run all day: keep what they saw in a
		// bounded file (the report reads it back; a GUI build on Windows has
		// no stderr at all). One-shot commands log to stderr only.
		if f, err := openLogFile(); err != nil {
			fmt.Fprintf(os.Stderr, "traycheck: no log file: %v\n", err)
		} else {
			defer f.Close()
			logw = io.MultiWriter(os.Stderr, f)
			e.journal = slog.New(slog.NewTextHandler(f, nil))
		}
	}
	e.log = slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: logLevel()}))
	slog.SetDefault(e.log)
	return dispatch(ctx, e, args)
}

// exitOnSignal returns a context that Ctrl-C or SIGTERM cancels, so every
// command can stop cleanly. A command that has not returned grace after the
// signal (blocked in a syscall that a context never reaches: an open of a
// FIFO, a write to a full pipe) is ended with the shell's code for the
// signal, 128+N; so is any command at a second signal. A stuck syscall can
// thus never keep traycheck from exiting.
func exitOnSignal(parent context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	sigs := make(chan os.Signal, 2)
	returned := make(chan struct{})
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		var sig os.Signal
		select {
		case sig = <-sigs:
		case <-returned:
			return
		}
		cancel()
		select {
		case <-sigs:
		case <-time.After(grace):
		case <-returned:
			return // the command ended by itself; main exits with its code
		}
		fmt.Fprintf(os.Stderr, "traycheck: ended by %v\n", sig)
		code := 128 + 15
		if s, ok := sig.(syscall.Signal); ok {
			code = 128 + int(s)
		}
		os.Exit(code)
	}()
	var once sync.Once
	return ctx, func() { once.Do(func() { signal.Stop(sigs); close(returned); cancel() }) }
}

// longRunning reports whether args start the tray or the watch loop.
func longRunning(args []string) bool {
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

func dispatch(ctx context.Context, e *env, args []string) int {
	// Windows starts `traycheck.exe --action-uri URI` when a toast button is
	// clicked (the traycheck: URL scheme); it only forwards and exits.
	if len(args) == 2 && args[0] == notify.ActionURIFlag {
		return forwardActionURI(ctx, e, args[1])
	}
	if len(args) == 0 || (len(args[0]) > 0 && args[0][0] == '-' && args[0] != "-h" && args[0] != "--help") {
		return runDefault(ctx, e, args)
	}
	switch args[0] {
	case "help", "-h", "--help":
		usage(e.stdout)
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "traycheck: unknown command %q\n", args[0])
		usage(e.stderr)
		return exitUsage
	}
	return c.run(ctx, e, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: traycheck [COMMAND] [FLAGS]")
	fmt.Fprintln(w, "\nWith no command, traycheck runs as a tray icon (console mode without a desktop).")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nexit codes: 0 all clear, 1 conflict found, 2 usage or config error, 3 probe failed")
}

func init() {
	register(&command{name: "version", summary: "print the version", run: func(_ context.Context, e *env, _ []string) int {
		fmt.Fprintf(e.stdout, "traycheck %s\n", version)
		return exitOK
	}})
}

// parseFlags parses a subcommand's flags and refuses leftover arguments; ok
// is false when the caller should return code (0 after -h, else 2).
func parseFlags(e *env, flags *flag.FlagSet, args []string) (code int, ok bool) {
	flags.SetOutput(e.stderr)
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false // flag has printed the error and the usage
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(e.stderr, "traycheck %s: unexpected argument %q\n", flags.Name(), flags.Arg(0))
		flags.Usage()
		return exitUsage, false
	}
	return exitOK, true
}
