package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/traycheck/traycheck/internal/cli"
	"github.com/traycheck/traycheck/internal/diagnose"
)

// versionText is what `traycheck version`, --version, -V and -v print:
// the version first (scripts take the second word), then what a bug
// report needs besides.
func versionText() string {
	return fmt.Sprintf("traycheck %s (%s, %s/%s)", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func runVersion(_ context.Context, e *env, args []string) error {
	fs := cli.NewFlagSet(e.stderr, "version", "traycheck version",
		"Prints the version, the Go version it was built with and the OS/architecture.")
	if _, err := cli.Parse(fs, args, 0); err != nil {
		return err
	}
	return cli.ErrVersion
}

// exitCodes is the help's last line; packaging/mangen reads it for EXIT
// STATUS, so its entries are "CODE meaning" without commas.
const exitCodes = "exit codes: 0 all clear, 1 conflict found, 2 usage or config error, 3 probe failed, " +
	"130 ended by Ctrl-C (SIGINT) while stuck or at a second Ctrl-C, 143 ended by SIGTERM while stuck or at a second one"

// topHelp is `traycheck help` and `traycheck --help`.
func topHelp() error {
	var b strings.Builder
	writeTopHelp(&b)
	return &cli.Help{Text: b.String()}
}

func writeTopHelp(w io.Writer) {
	fmt.Fprintln(w, "usage: traycheck [--json] [--config FILE]")
	fmt.Fprintln(w, "       traycheck COMMAND [FLAGS] [ARGS]")
	fmt.Fprintln(w, "\nWith no command, traycheck runs as a tray icon (console mode without a desktop).")
	fmt.Fprintln(w, "`traycheck help COMMAND` shows a command's usage; `traycheck help ID` says what a cause or action id means.")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	// The bare command's flags, from its own flag set.
	var h *cli.Help
	if errors.As(runDefault(context.Background(), &env{stdout: io.Discard, stderr: io.Discard}, []string{"--help"}), &h) && h.Flags != nil {
		cli.PrintDefaults(w, h.Flags)
	}
	fmt.Fprintln(w, "\n"+exitCodes)
}

// runHelp is `traycheck help [COMMAND [SUBCOMMAND] | CAUSE | ACTION |
// causes | actions]`.
func runHelp(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return topHelp()
	}
	if args[0] == "help" || cli.IsHelpArg(args[0]) {
		return &cli.Help{Text: helpUsage}
	}
	if c, ok := findCommand(args[0]); ok {
		// The command's own -h: the usage it prints is its flag set's.
		return c.run(ctx, e, append(append([]string{}, args[1:]...), "--help"))
	}
	if len(args) == 1 {
		if text, ok := glossary(args[0]); ok {
			return &cli.Help{Text: text}
		}
	}
	var hints []string
	if s := cli.Suggest(args[0], helpTopics()); s != "" {
		hints = append(hints, "did you mean `traycheck help "+s+"`?")
	}
	return cli.UsageError(fmt.Errorf("no help for %q: not a command, cause or action id", args[0]), append(hints, "`traycheck help` lists the commands; `traycheck help causes` and `traycheck help actions` list the ids")...)
}

const helpUsage = `usage: traycheck help [COMMAND [SUBCOMMAND]]
       traycheck help CAUSE|ACTION
       traycheck help causes|actions

Shows a command's usage (as COMMAND --help does), what a cause or action id
means, or the list of them all.
`

// helpTopics is everything `traycheck help` takes.
func helpTopics() []string {
	out := append(commandNames(), "causes", "actions")
	for _, c := range diagnose.Causes {
		out = append(out, string(c))
	}
	for _, a := range diagnose.Actions {
		out = append(out, string(a))
	}
	return out
}

// glossary is what a cause or action id means, from diagnose's own tables,
// or the list of them all.
func glossary(topic string) (string, bool) {
	var b strings.Builder
	switch topic {
	case "causes":
		fmt.Fprintln(&b, "causes (the third column of `traycheck check`, \"cause\" in --json):")
		for _, c := range diagnose.Causes {
			fmt.Fprintf(&b, "  %-18s %s\n", c, diagnose.CauseDoc(c))
		}
		return b.String(), true
	case "actions":
		fmt.Fprintln(&b, "actions (\"next:\" in `traycheck check`, \"actions\" in --json, `traycheck action ID`):")
		for _, a := range diagnose.Actions {
			fmt.Fprintf(&b, "  %-18s %s\n", a, actionDoc(a))
		}
		return b.String(), true
	}
	for _, c := range diagnose.Causes {
		if string(c) == topic {
			return fmt.Sprintf("cause %s: %s\n", c, diagnose.CauseDoc(c)), true
		}
	}
	for _, a := range diagnose.Actions {
		if string(a) == topic {
			return fmt.Sprintf("action %s: %s\n", a, actionDoc(a)), true
		}
	}
	return "", false
}

// actionDoc is an action's menu label and what it does, from diagnose's
// action table.
func actionDoc(a diagnose.Action) string {
	s, _ := a.Spec()
	text := fmt.Sprintf("%q %s", s.Label, s.Consequence)
	if s.Confirm {
		text += "; asks first"
	}
	if s.Elevates {
		text += "; needs admin rights"
	}
	return text
}

// suggestWord is the "did you mean" hint for a mistyped word among words
// (none when nothing is close).
func suggestWord(word string, words ...string) []string {
	if s := cli.Suggest(word, words); s != "" {
		return []string{"did you mean " + s + "?"}
	}
	return nil
}
