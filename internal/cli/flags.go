package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
)

// NewFlagSet is every command's flag set: usage prints the command's
// synopsis lines, then its flags GNU-style (--json), then --help and
// --version, which every command takes. -h/--help makes Parse return *Help
// (printed on stdout by the caller); a usage error goes to stderr.
func NewFlagSet(stderr io.Writer, name string, synopsis ...string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, v := range versionFlags {
		fs.Bool(v, false, "print the version and exit")
	}
	fs.Usage = func() {
		w := fs.Output()
		described := false
		for i, s := range synopsis {
			switch {
			case i == 0:
				s = "usage: " + s
			case strings.HasPrefix(s, "traycheck "):
				s = "       " + s
			case !described && !strings.HasPrefix(s, " "):
				// The description, after the synopsis lines.
				described = true
				fmt.Fprintln(w)
			}
			fmt.Fprintln(w, s)
		}
		PrintDefaults(w, fs)
	}
	return fs
}

// ConfigFlag is the shared --config flag.
func ConfigFlag(fs *flag.FlagSet) *string {
	return fs.String("config", "", "config `FILE` (default: the user config file, else the embedded default)")
}

// JSONFlag is the shared --json flag; what says what is printed as JSON.
func JSONFlag(fs *flag.FlagSet, what string) *bool {
	return fs.Bool("json", false, "print "+what+" as JSON")
}

// Parse parses args with flags anywhere among the positional arguments
// (`traycheck check 8080 --json` as well as `check --json 8080`), which the
// flag package alone stops doing at the first positional one, and returns
// those. maxArgs < 0 allows any number. Positional arguments never start
// with "-", so nothing is ambiguous.
//
// -h/--help returns *Help, --version/-V/-v ErrVersion; a bad flag is a
// usage error that names the flag GNU-style and suggests the closest one.
func Parse(fs *flag.FlagSet, args []string, maxArgs int) ([]string, error) {
	var rest []string
	out := fs.Output()
	fs.SetOutput(io.Discard) // the flag package's own messages say -flag
	defer fs.SetOutput(out)
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(out)
				return nil, &Help{Text: UsageText(fs), Flags: fs}
			}
			return nil, flagError(fs, err)
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	for _, v := range versionFlags {
		if f := fs.Lookup(v); f != nil && f.Value.String() == "true" {
			return nil, ErrVersion
		}
	}
	if maxArgs >= 0 && len(rest) > maxArgs {
		return nil, UsageError(fmt.Errorf("unexpected argument %q", rest[maxArgs]), seeHelp(fs))
	}
	return rest, nil
}

// flagError rewrites the flag package's error GNU-style ("unknown flag
// --jsn", not "flag provided but not defined: -jsn") with a suggestion.
func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	var hints []string
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		typed := dashes(name)
		msg = "unknown flag " + typed
		if s := Suggest(typed, FlagNames(fs)); s != "" {
			hints = append(hints, "did you mean "+s+"?")
		}
	} else {
		msg = flagInMessage().ReplaceAllStringFunc(msg, func(m string) string {
			i := strings.Index(m, " -")
			return m[:i+1] + dashes(m[i+2:])
		})
	}
	return UsageError(errors.New(msg), append(hints, seeHelp(fs))...)
}

// flagInMessage is a flag's name as the flag package's errors write it.
var flagInMessage = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(flag |for |argument: )-[A-Za-z][\w-]*`) })

func seeHelp(fs *flag.FlagSet) string {
	name := fs.Name()
	if name != "traycheck" {
		name = "traycheck " + name
	}
	return "`" + name + " --help` shows the usage"
}
