package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Help is what a command returns for -h/--help: its usage, which the caller
// prints on standard output (so `traycheck check --help | less` works) and
// exits 0. Flags is the command's flag set, so completion can list its
// flags by asking the command for help.
type Help struct {
	Text  string
	Flags *flag.FlagSet
}

func (h *Help) Error() string { return "help requested" }

// ErrVersion is what a command returns for --version, -V or -v: the caller
// prints the version on standard output and exits 0.
var ErrVersion = errors.New("version requested")

// IsHelpArg reports whether a is a help flag.
func IsHelpArg(a string) bool { return a == "-h" || a == "--help" || a == "-help" }

// IsVersionArg reports whether a is a version flag. -v is version too:
// traycheck has no verbose flag (TRAYCHECK_DEBUG=1 is the verbose log), and
// people type -v for the version.
func IsVersionArg(a string) bool {
	return a == "--version" || a == "-version" || a == "-V" || a == "-v"
}

// AsksInfo reports whether args ask for help or the version anywhere before
// a "--": such a run prints and exits, so it must not start the tray or
// open the log and the journal.
func AsksInfo(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if IsHelpArg(a) || IsVersionArg(a) {
			return true
		}
	}
	return false
}

// versionFlags are registered on every flag set; only PrintDefaults' last
// lines show them.
var versionFlags = []string{"version", "V", "v"}

// UsageText is fs's usage as -h prints it.
func UsageText(fs *flag.FlagSet) string {
	var b strings.Builder
	out := fs.Output()
	fs.SetOutput(&b)
	fs.Usage()
	fs.SetOutput(out)
	return b.String()
}

// PrintDefaults writes fs's flags GNU-style (--name VALUE, a short alias
// as "-q, --quiet"), then --help and --version, which every command has.
func PrintDefaults(w io.Writer, fs *flag.FlagSet) {
	type row struct{ names, usage string }
	var rows []row
	long := map[string]*flag.Flag{}
	fs.VisitAll(func(f *flag.Flag) {
		if len(f.Name) > 1 {
			long[f.Usage] = f
		}
	})
	aliased := map[string]string{} // long name -> its short alias
	fs.VisitAll(func(f *flag.Flag) {
		if len(f.Name) == 1 && !isVersionFlag(f.Name) {
			if l, ok := long[f.Usage]; ok {
				aliased[l.Name] = f.Name
			}
		}
	})
	fs.VisitAll(func(f *flag.Flag) {
		if isVersionFlag(f.Name) {
			return
		}
		if len(f.Name) == 1 {
			if l, ok := long[f.Usage]; ok && aliased[l.Name] == f.Name {
				return // shown with its long form
			}
		}
		arg, usage := flag.UnquoteUsage(f)
		switch {
		case isBool(f):
			arg, usage = "", f.Usage // a `word` in a switch's usage is only quoted text
		case arg == "int" || arg == "uint":
			arg = "N"
		case arg != "" && arg == strings.ToLower(arg):
			arg = strings.ToUpper(arg) // DURATION, STRING: the value's type
		}
		names := "    " + dashes(f.Name)
		if s := aliased[f.Name]; s != "" {
			names = "-" + s + ", " + dashes(f.Name)
		}
		if arg != "" {
			names += " " + arg
		}
		if def := f.DefValue; def != "" && def != "false" && def != "0" && def != "0s" {
			usage += fmt.Sprintf(" (default %s)", def)
		}
		rows = append(rows, row{names, usage})
	})
	sort.SliceStable(rows, func(i, j int) bool {
		return strings.TrimLeft(rows[i].names, " -") < strings.TrimLeft(rows[j].names, " -")
	})
	rows = append(rows, row{"-h, --help", "show this help"}, row{"-V, --version", "print the version and exit (-v too)"})
	width := 0
	for _, r := range rows {
		width = max(width, len(r.names))
	}
	fmt.Fprintln(w, "\nflags:")
	for _, r := range rows {
		fmt.Fprintf(w, "  %-*s  %s\n", width, r.names, r.usage)
	}
}

func isVersionFlag(name string) bool {
	for _, v := range versionFlags {
		if name == v {
			return true
		}
	}
	return false
}

// dashes is a flag's name as typed: --name, or -n for a one-letter one.
func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// FlagNames are fs's flags as typed (--json, -q), without the version
// aliases, sorted: for completion and suggestions.
func FlagNames(fs *flag.FlagSet) []string {
	var out []string
	fs.VisitAll(func(f *flag.Flag) {
		if !isVersionFlag(f.Name) || f.Name == "version" {
			out = append(out, dashes(f.Name))
		}
	})
	return append(out, "--help")
}

// isBool reports whether f is a switch (--json), taking no value.
func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
