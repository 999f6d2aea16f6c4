package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/traycheck/traycheck/internal/cli"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/discover"
)

// completeCmd is the hidden command the completion scripts run.
const completeCmd = "__complete"

// runCompletion is `traycheck completion bash|zsh|fish`.
func runCompletion(_ context.Context, e *env, args []string) error {
	fs := cli.NewFlagSet(e.stderr, "completion", "traycheck completion bash|zsh|fish",
		"Prints the shell's completion script. The packages install them; by hand:",
		"  bash: traycheck completion bash > ~/.local/share/bash-completion/completions/traycheck",
		"  zsh:  traycheck completion zsh > \"${fpath[1]}/_traycheck\"",
		"  fish: traycheck completion fish > ~/.config/fish/completions/traycheck.fish")
	rest, err := cli.Parse(fs, args, 1)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return cli.UsageError(errors.New("name the shell: bash, zsh or fish"))
	}
	script, err := cli.CompletionScript(rest[0])
	if err != nil {
		var hints []string
		if s := cli.Suggest(rest[0], cli.Shells); s != "" {
			hints = append(hints, "did you mean "+s+"?")
		}
		return cli.UsageError(err, hints...)
	}
	_, err = io.WriteString(e.stdout, script)
	return err
}

// candidate is one completion: the word and what it is.
type candidate struct{ word, desc string }

// runComplete is `traycheck __complete WORD... CURRENT`: the candidates for
// CURRENT (may be empty) after the words before it, one a line as
// "word<TAB>description", or ":file" / ":dir". It never fails: a shell
// gets nothing rather than an error in the middle of the command line.
func runComplete(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		args = []string{""}
	}
	prev, cur := args[:len(args)-1], args[len(args)-1]
	cands, special := complete(ctx, prev, cur)
	if special != "" {
		fmt.Fprintln(e.stdout, special)
		return nil
	}
	for _, c := range cands {
		if !strings.HasPrefix(c.word, cur) {
			continue
		}
		if c.desc != "" {
			fmt.Fprintf(e.stdout, "%s\t%s\n", c.word, oneLine(c.desc))
		} else {
			fmt.Fprintln(e.stdout, c.word)
		}
	}
	return nil
}

func complete(ctx context.Context, prev []string, cur string) ([]candidate, string) {
	// The command and its subcommand: the first words that are no flag or
	// flag value.
	var cmd *command
	var positional []string
	fs := flagSetOf(ctx, nil, nil)
	for i := 0; i < len(prev); i++ {
		w := prev[i]
		if strings.HasPrefix(w, "-") {
			if takesValue(fs, w) && !strings.Contains(w, "=") {
				i++ // its value
			}
			continue
		}
		if cmd == nil {
			c, ok := findCommand(w)
			if !ok {
				return nil, ""
			}
			cmd = &c
			fs = flagSetOf(ctx, cmd, nil)
			continue
		}
		positional = append(positional, w)
		if len(positional) == 1 && (cmd.name == "config") {
			fs = flagSetOf(ctx, cmd, positional)
		}
	}
	if len(prev) > 0 && takesValue(fs, prev[len(prev)-1]) {
		return flagValues(ctx, prev, strings.TrimLeft(prev[len(prev)-1], "-"))
	}
	if strings.HasPrefix(cur, "-") {
		return flagCandidates(fs), ""
	}
	if cmd == nil {
		var out []candidate
		for _, c := range commands {
			out = append(out, candidate{c.name, c.summary})
		}
		return out, ""
	}
	return positionals(ctx, cmd.name, positional, prev), ""
}

// flagSetOf is the flag set of cmd (nil: the bare traycheck), got the way
// -h gets it: every command parses its flags first, so asking for help
// runs nothing else.
func flagSetOf(ctx context.Context, cmd *command, sub []string) *flag.FlagSet {
	quiet := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	args := append(append([]string{}, sub...), "--help")
	var err error
	if cmd == nil {
		err = runDefault(ctx, quiet, args)
	} else {
		err = cmd.run(ctx, quiet, args)
	}
	var h *cli.Help
	if errors.As(err, &h) {
		return h.Flags
	}
	return nil
}

// takesValue reports whether word is a flag of fs that takes a value
// (--config FILE), not a switch (--json).
func takesValue(fs *flag.FlagSet, word string) bool {
	if fs == nil || !strings.HasPrefix(word, "-") || strings.Contains(word, "=") {
		return false
	}
	f := fs.Lookup(strings.TrimLeft(word, "-"))
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return !ok || !b.IsBoolFlag()
}

func flagCandidates(fs *flag.FlagSet) []candidate {
	if fs == nil {
		return nil
	}
	var out []candidate
	for _, n := range cli.FlagNames(fs) {
		desc := "show this help"
		if f := fs.Lookup(strings.TrimLeft(n, "-")); f != nil {
			_, desc = flag.UnquoteUsage(f)
		}
		out = append(out, candidate{n, desc})
	}
	return out
}

// flagValues completes the value of the flag name.
func flagValues(ctx context.Context, prev []string, name string) ([]candidate, string) {
	switch name {
	case "config", "out":
		return nil, ":file"
	case "textfile":
		return nil, ":dir"
	case "resource":
		return resources(ctx, prev), ""
	case "color":
		return []candidate{{"auto", "on a terminal only"}, {"always", ""}, {"never", ""}}, ""
	}
	return nil, ""
}

// positionals completes the arguments of the command name.
func positionals(ctx context.Context, name string, positional, prev []string) []candidate {
	words := func(ws ...string) []candidate {
		out := make([]candidate, len(ws))
		for i, w := range ws {
			out[i] = candidate{word: w}
		}
		return out
	}
	switch name {
	case "check", "check-now":
		return resources(ctx, prev)
	case "action":
		if len(positional) == 0 {
			var out []candidate
			for _, a := range diagnose.Actions {
				out = append(out, candidate{string(a), actionDoc(a)})
			}
			return out
		}
	case "config":
		if len(positional) == 0 {
			return words("path", "init", "validate", "discover", "show")
		}
	case "autostart":
		if len(positional) == 0 {
			return words("enable", "disable", "status")
		}
	case "completion":
		if len(positional) == 0 {
			return words(cli.Shells...)
		}
	case "help":
		if len(positional) == 0 {
			var out []candidate
			for _, c := range commands {
				out = append(out, candidate{c.name, c.summary})
			}
			for _, c := range diagnose.Causes {
				out = append(out, candidate{string(c), "cause: " + diagnose.CauseDoc(c)})
			}
			for _, a := range diagnose.Actions {
				out = append(out, candidate{string(a), "action: " + actionDoc(a)})
			}
			return append(out, candidate{"causes", "every cause id"}, candidate{"actions", "every action id"})
		}
	}
	return nil
}

// resources are the configured ports and devices (under --config when the
// command line has it, with what discovery adds) and what the VPN's own
// configuration files name.
func resources(ctx context.Context, prev []string) []candidate {
	cfgPath := ""
	for i, w := range prev {
		if (w == "--config" || w == "-config") && i+1 < len(prev) {
			cfgPath = prev[i+1]
		} else if v, ok := strings.CutPrefix(w, "--config="); ok {
			cfgPath = v
		}
	}
	var out []candidate
	seen := map[string]bool{}
	add := func(word, desc string) {
		if word != "" && !seen[word] {
			seen[word] = true
			out = append(out, candidate{word, desc})
		}
	}
	if cfg, err := loadConfig(cfgPath); err == nil {
		for _, r := range cfg.Resources() {
			add(r.String(), "configured")
		}
	}
	for _, f := range discover.Discover(ctx, discoverSources()) {
		for _, p := range append(append([]string{}, f.Ports...), f.Devices...) {
			add(p, "found in "+f.Kind+" "+f.Name)
		}
	}
	return out
}

// oneLine keeps a description on its line: the scripts split on newlines.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}
