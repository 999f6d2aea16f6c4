// Command mangen writes traycheck's man page (roff, section 1) from the built
// binary's own help, so the page cannot drift from the command table:
// `traycheck help` gives the description, the command list and the exit
// codes; `traycheck COMMAND -h` gives each command's usage and flags. Only
// the NAME line and the FILES section are written here.
//
// usage: go run ./packaging/mangen -bin build/traycheck -version 1.2.3 > traycheck.1
//
// The date comes from SOURCE_DATE_EPOCH when set (reproducible builds), else
// today.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"
)

func main() {
	bin := flag.String("bin", "", "the built traycheck binary (for this machine's OS and architecture)")
	ver := flag.String("version", "", "the version printed in the page footer")
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
	if err := render(os.Stdout, h, *ver, date); err != nil {
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
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + home, "XDG_CACHE_HOME=" + home, "LANG=C"}
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
		if c.name == "version" {
			continue // -h is no help flag there: it prints the version
		}
		// flag writes a subcommand's usage to stderr; the exit code is 0
		// for -h, but some commands print their usage line and exit 2.
		c.usage, err = runHelp(bin, env, c.name, "-h")
		if err != nil {
			return nil, err
		}
	}
	return h, nil
}

func runHelp(bin string, env []string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 2) {
		return "", fmt.Errorf("running %s %v: %w (stderr: %s)", bin, args, err, errb.String())
	}
	if len(args) == 1 {
		return out.String(), nil
	}
	return errb.String(), nil
}

// render writes the page.
func render(w io.Writer, h *help, version string, date time.Time) error {
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
	b.WriteString(".SH EXIT STATUS\n")
	for _, e := range h.exits {
		b.WriteString(".TP\n.B " + roff(e.code) + "\n" + roff(e.meaning) + "\n")
	}
	b.WriteString(filesSection)
	_, err := w.Write(b.Bytes())
	return err
}

// filesSection is the one part not in the help: where things live on Linux.
const filesSection = `.SH FILES
.TP
.I ~/.config/traycheck/config.toml
the configuration (` + "`traycheck config path`" + ` prints it; without one, the built\-in default is used)
.TP
.I ~/.cache/traycheck/traycheck.log
the log of the tray and of watch, rotated at 1 MiB
.TP
.I /etc/xdg/autostart/traycheck.desktop
starts traycheck at login for every user, when installed by the package
.TP
.I ~/.config/autostart/traycheck.desktop
the user's own start\-at\-login entry; it overrides the one in /etc/xdg/autostart
(` + "`traycheck autostart disable`" + ` writes one with Hidden=true to switch the package's entry off)
`
