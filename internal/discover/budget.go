package discover

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"github.com/traycheck/traycheck/internal/safefile"
)

// Limits of one discovery. They are those of the tools whose files it reads
// (ssh stops nesting Includes at 16) or far above any real setup (a VPN
// profile with its certificates inline is tens of kilobytes; a home with 256
// VPN configuration files is unheard of), so that a file a user or another
// account placed where discovery looks cannot make it read without end.
const (
	maxFileSize    = 1 << 20 // one file
	budgetFiles    = 256     // files read in one discovery
	budgetBytes    = 8 << 20 // bytes read in one discovery
	maxGlobFiles   = 64      // files one Include glob expands to
	maxLineLen     = 64 << 10
	maxIncludeNest = 16   // ssh's READCONF_MAX_DEPTH; used for every format with includes
	maxOVPNNest    = 10   // files OpenVPN 2.6 reads through nested `config` directives, the profile included
	budgetGlobs    = 1024 // include patterns expanded in one discovery
)

// Skip is something discovery did not read, and why: a file over a budget,
// an Include that leads back to a file already read, the rest of a glob, a
// line over the cap, a FIFO or a kernel file. Where is "file:line" of the
// directive or line, or the file. Its JSON form is an element of a Found's
// "skipped".
type Skip struct {
	Where string `json:"where"`
	Why   string `json:"why"`
}

func (s Skip) String() string { return s.Where + ": " + s.Why }

// errBudget is wrapped by budget.read's error when a budget is spent.
var errBudget = errors.New("discovery budget spent")

// errAlreadyRead is budget.read's error for a file read before in this
// discovery (an Include loop, or two names of one file).
var errAlreadyRead = errors.New("already read (an Include loop or a second name of a file read before)")

// budget is what one discovery may still read, shared by all its sources,
// and the files it read (each is read once).
type budget struct {
	files, bytes, globs int
	globEntries         int // directory entries include patterns may still look at
	seen                []fs.FileInfo
	tried               map[string]error // names tried and how that went, so a repeated Include costs no system call
	// open is safefile.OpenBounded; tests count its calls.
	open func(path string, max int64, nofollow bool) (*os.File, fs.FileInfo, error)
}

func newBudget() *budget {
	return &budget{files: budgetFiles, bytes: budgetBytes, globs: budgetGlobs, globEntries: budgetGlobEntries, open: safefile.OpenBounded}
}

// read reads a configuration file: only a regular file (a link to one is
// followed), never in /proc, /sys or /dev, opened so that it cannot block,
// at most maxFileSize bytes and what is left of the byte budget, and each
// file once.
func (b *budget) read(path string) ([]byte, error) {
	if b.files <= 0 {
		return nil, fmt.Errorf("not read: this discovery read %d files already: %w", budgetFiles, errBudget)
	}
	if err, ok := b.tried[path]; ok {
		return nil, err
	}
	if b.tried == nil {
		b.tried = map[string]error{}
	}
	max := int64(min(maxFileSize, b.bytes))
	f, fi, err := b.open(path, max, false)
	if errors.Is(err, safefile.ErrTooLarge) && max < maxFileSize {
		return nil, fmt.Errorf("not read: this discovery read %d bytes already: %w", budgetBytes, errBudget)
	}
	if err != nil {
		b.tried[path] = err
		return nil, err
	}
	b.tried[path] = errAlreadyRead
	defer f.Close()
	for _, s := range b.seen {
		if os.SameFile(s, fi) {
			return nil, errAlreadyRead
		}
	}
	b.seen = append(b.seen, fi)
	b.files--
	data, err := safefile.ReadFull(f, max)
	b.bytes -= len(data)
	return data, err
}

// why says what went wrong with a file, for a Skip or a Note.
func why(err error) string {
	if errors.Is(err, fs.ErrPermission) {
		return "not readable by this user (it usually needs root): run `sudo traycheck config discover` to include it"
	}
	return err.Error()
}

// at names a line of a file for a Skip.
func at(path string, line int) string {
	if line <= 0 {
		return path
	}
	return path + ":" + strconv.Itoa(line)
}
