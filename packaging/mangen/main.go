// Command mangen writes traycheck's man page (roff, section 1) from the built
// binary's own help, so the page cannot drift from the command table:
// `traycheck help` gives the description, the command list, the bare
// command's flags and the exit codes; `traycheck help COMMAND` each
// command's usage and flags; `traycheck help causes` and `help actions` the
// CAUSES and ACTIONS sections (diagnose's own tables). EXAMPLES are the
// README's terminal examples. Only NAME, ENVIRONMENT, FILES and SEE ALSO are
// written here.
//
// usage: go run ./packaging/mangen -bin build/traycheck -version 1.2.3 > traycheck.1
//
// The date comes from SOURCE_DATE_EPOCH when set (reproducible builds), else
// today.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

func main() {
	bin := flag.String("bin", "", "the built traycheck binary (for this machine's OS and architecture)")
	ver := flag.String("version", "", "the version printed in the page footer")
	readme := flag.String("readme", "README.md", "the README whose terminal examples become EXAMPLES")
	flag.Parse()
	if *bin == "" || *ver == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: mangen -bin BINARY -version VERSION > traycheck.1")
		os.Exit(2)
	}
	date, err := pageDate(os.Getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		fatal(err)
	}
	h, err := readHelp(*bin)
	if err != nil {
		fatal(err)
	}
	text, err := os.ReadFile(*readme)
	if err != nil {
		fatal(err)
	}
	if err := render(os.Stdout, h, readmeExamples(string(text)), *ver, date); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintf(os.Stderr, "mangen: %v\n", err)
	os.Exit(1)
}

// pageDate is the footer date: SOURCE_DATE_EPOCH (seconds) when given.
func pageDate(epoch string) (time.Time, error) {
	if epoch == "" {
		return time.Now().UTC(), nil
	}
	s, err := strconv.ParseInt(epoch, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q is not a number of seconds: %w", epoch, err)
	}
	return time.Unix(s, 0).UTC(), nil
}

// readHelp runs the binary for its help texts. It runs with an empty home
// and config directory, so nothing of the user's is read or written, and
// only ever with help arguments (never bare: that would start the tray).
func readHelp(bin string) (*help, error) {
	home, err := os.MkdirTemp("", "mangen-home-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(home)
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + home, "XDG_CACHE_HOME=" + home, "LANG=C", "NO_COLOR=1"}
	top, err := runHelp(bin, env, "help")
	if err != nil {
		return nil, err
	}
	h, err := parseHelp(top)
	if err != nil {
		return nil, fmt.Errorf("%s help: %w", bin, err)
	}
	for i := range h.commands {
		c := &h.commands[i]
		if c.usage, err = runHelp(bin, env, "help", c.name); err != nil {
			return nil, err
		}
		if c.name != "config" {
			continue
		}
		// config's usage lists its subcommands; each has its own flags.
		for _, sub := range []string{"init", "validate", "discover", "show"} {
			u, err := runHelp(bin, env, "help", "config", sub)
			if err != nil {
				return nil, err
			}
			c.usage += "\n" + u
		}
	}
	for _, g := range []struct {
		topic string
		into  *[]glossaryEntry
	}{{"causes", &h.causes}, {"actions", &h.actions}} {
		text, err := runHelp(bin, env, "help", g.topic)
		if err != nil {
			return nil, err
		}
		if *g.into, err = parseGlossary(text); err != nil {
			return nil, fmt.Errorf("%s help %s: %w", bin, g.topic, err)
		}
	}
	return h, nil
}

// runHelp runs `bin ARGS` for a help text, which it prints on stdout with
// exit 0.
func runHelp(bin string, env []string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("running %s %v: %w (stderr: %s)", bin, args, err, errb.String())
	}
	return out.String(), nil
}

// render writes the page.
func render(w io.Writer, h *help, examples []example, version string, date time.Time) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, ".TH TRAYCHECK 1 %q %q \"User Commands\"\n", date.Format("2006-01-02"), "traycheck "+version)
	b.WriteString(".SH NAME\ntraycheck \\- who holds the port or device your VPN or SSH connection needs, and what to do\n")
	b.WriteString(".SH SYNOPSIS\n")
	for _, u := range h.synopsis {
		b.WriteString(".B " + roff(u) + "\n.br\n")
	}
	b.WriteString(".SH DESCRIPTION\n")
	for _, p := range h.description {
		b.WriteString(".PP\n" + roff(p) + "\n")
	}
	if len(h.flags) > 0 {
		b.WriteString(".SH OPTIONS\n")
		for _, l := range h.flags {
			names, meaning := flagRow(l)
			b.WriteString(".TP\n.B " + roff(names) + "\n" + roff(meaning) + "\n")
		}
	}
	b.WriteString(".SH COMMANDS\n")
	for _, c := range h.commands {
		b.WriteString(".SS " + roff(c.name) + "\n" + roff(c.summary) + "\n")
		if c.usage != "" {
			b.WriteString(".PP\n.nf\n")
			for _, l := range splitLines(c.usage) {
				b.WriteString(roff(l) + "\n")
			}
			b.WriteString(".fi\n")
		}
	}
	for _, g := range []struct {
		title, intro string
		entries      []glossaryEntry
	}{
		{"CAUSES", "Every finding names one cause: the third column of " + "`traycheck check`" + ", \"cause\" in its JSON. " + "`traycheck help CAUSE`" + " says the same.", h.causes},
		{"ACTIONS", "What traycheck offers for a finding (\"next:\" in " + "`traycheck check`" + ", \"actions\" in its JSON, the notification buttons, " + "`traycheck action ID`" + "). None runs without your click.", h.actions},
	} {
		b.WriteString(".SH " + g.title + "\n" + roff(g.intro) + "\n")
		for _, e := range g.entries {
			b.WriteString(".TP\n.B " + roff(e.id) + "\n" + roff(e.meaning) + "\n")
		}
	}
	b.WriteString(".SH EXIT STATUS\n")
	for _, e := range h.exits {
		b.WriteString(".TP\n.B " + roff(e.code) + "\n" + roff(e.meaning) + "\n")
	}
	b.WriteString(environmentSection + filesSection)
	if len(examples) > 0 {
		b.WriteString(".SH EXAMPLES\n")
		for _, e := range examples {
			if e.comment != "" {
				b.WriteString(".PP\n" + roff(strings.ToUpper(e.comment[:1])+e.comment[1:]) + ":\n")
			} else {
				b.WriteString(".PP\n")
			}
			b.WriteString(".RS\n.nf\n")
			for _, l := range splitLines(e.command) {
				b.WriteString(roff(l) + "\n")
			}
			b.WriteString(".fi\n.RE\n")
		}
	}
	b.WriteString(seeAlsoSection)
	_, err := w.Write(b.Bytes())
	return err
}

// environmentSection is every variable traycheck reads on Linux.
const environmentSection = `.SH ENVIRONMENT
.TP
.B TRAYCHECK_DEBUG
set to anything: log at debug level
.TP
.B TRAYCHECK_PROC_WALK
set to 1: find a port's holder by walking every process's file descriptors in /proc instead of reading the
per\-task socket files (the slower, older way, for comparison)
.TP
.B NO_COLOR
set to anything: no colour on the terminal
.TP
.B CLICOLOR_FORCE
set to anything but 0: colour even when standard output is no terminal
.TP
.B TERM
.I dumb
means no colour
.TP
.B XDG_CONFIG_HOME, XDG_CACHE_HOME
where the configuration and the log live (default ~/.config and ~/.cache)
.TP
.B XDG_CONFIG_DIRS
where the system\-wide autostart entry is looked for (default /etc/xdg)
.TP
.B XDG_RUNTIME_DIR
where the running traycheck's socket and lock live, so that traycheck check\-now and traycheck action reach it
.TP
.B XDG_CURRENT_DESKTOP, DBUS_SESSION_BUS_ADDRESS, DISPLAY, WAYLAND_DISPLAY
whether there is a desktop for the tray icon (else console mode)
`

// filesSection is where things live on Linux.
const filesSection = `.SH FILES
.TP
.I ~/.config/traycheck/config.toml
the configuration (` + "`traycheck config path`" + ` prints it; without one, the built\-in default is used)
.TP
.I /etc/traycheck/policy.toml
the machine policy an administrator sets (a conffile of the package; it overrides the user's configuration)
.TP
.I ~/.cache/traycheck/traycheck.log
the log of the tray and of watch, rotated at 1 MiB
.TP
.I ~/.cache/traycheck/journal.jsonl
the findings, actions and power events the tray and watch record for ` + "`traycheck report`" + `
.TP
.I ~/.cache/traycheck/traycheck\-report.txt
the report the tray's \(lqCopy diagnostics\(rq saves (traycheck report \-\-out FILE writes one anywhere)
.TP
.I /etc/xdg/autostart/traycheck.desktop
starts traycheck at login for every user, when installed by the package
.TP
.I ~/.config/autostart/traycheck.desktop
the user's own start\-at\-login entry; it overrides the one in /etc/xdg/autostart
(` + "`traycheck autostart disable`" + ` writes one with Hidden=true to switch the package's entry off)
.TP
.I $XDG_RUNTIME_DIR/traycheck.sock, $XDG_RUNTIME_DIR/traycheck.lock
the running traycheck's socket and its one\-per\-session lock
.TP
.I /usr/share/bash\-completion/completions/traycheck
.TQ
.I /usr/share/zsh/vendor\-completions/_traycheck
.TQ
.I /usr/share/fish/vendor_completions.d/traycheck.fish
the shell completion (` + "`traycheck completion bash|zsh|fish`" + ` prints them)
.TP
.I /usr/share/traycheck/schema/
the JSON Schemas of every \-\-json output (traycheck.check/1 and the others)
`

const seeAlsoSection = `.SH SEE ALSO
.BR ss (8),
.BR lsof (8),
.BR journalctl (1)
`
