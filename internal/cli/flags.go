package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// NewFlagSet is every command's flag set: errors go to stderr, and usage
// prints the command's synopsis lines, then its flags.
func NewFlagSet(stderr io.Writer, name string, synopsis ...string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		for i, s := range synopsis {
			if i == 0 {
				s = "usage: " + s
			}
			fmt.Fprintln(stderr, s)
		}
		fs.PrintDefaults()
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
func Parse(fs *flag.FlagSet, args []string, maxArgs int) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, ExitStatus(ExitOK)
			}
			return nil, ErrPrinted // flag has printed the error and the usage
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if maxArgs >= 0 && len(rest) > maxArgs {
		fs.Usage()
		return nil, UsageError(fmt.Errorf("unexpected argument %q", rest[maxArgs]))
	}
	return rest, nil
}
