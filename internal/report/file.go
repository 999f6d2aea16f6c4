package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/traycheck/traycheck/internal/safefile"
)

// WriteFile writes the report to path, replacing only what is safe to
// replace:
//   - nothing there: a new private file (0600), created atomically without
//     ever replacing a name that appears meanwhile;
//   - a regular file: replaced atomically (temporary file in the same
//     directory, synced, renamed over it), so a reader or a crash sees the
//     old report or the new one, never half of one;
//   - a character device or a FIFO (/dev/null, a terminal, a pipe to a
//     helpdesk tool), or a link to one (/dev/stdout): written through, as a
//     shell's > would, never replaced. As root, renaming over /dev/null
//     would turn it into a regular file for the whole machine;
//   - anything else (a directory, a socket, a block device, a link to a
//     regular file) is refused and left alone. A link to a file is refused
//     rather than followed: written through, it is how a planted link makes
//     root overwrite a file it never meant to; renamed over, the link is
//     lost. Name the file itself.
//
// The report is private even redacted: it describes the user's machine.
func WriteFile(path string, data []byte) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return replace(path, data, false)
	case err != nil:
		return fmt.Errorf("writing report %s: %w", path, err)
	case fi.Mode().IsRegular():
		return replace(path, data, true)
	case fi.Mode()&(fs.ModeCharDevice|fs.ModeNamedPipe|fs.ModeSymlink) != 0:
		return writeThrough(path, data)
	}
	return fmt.Errorf("writing report %s: it is %s; want a regular file, a new file, a character device or a FIFO", path, safefile.Describe(fi.Mode()))
}

// writeThrough writes data into the device or FIFO at path (or behind the
// link at path). The open cannot block: a FIFO that nobody reads is an
// error, not a hang.
func writeThrough(path string, data []byte) error {
	f, err := safefile.OpenStream(path)
	if err != nil {
		if errors.Is(err, safefile.ErrNotStream) {
			return fmt.Errorf("writing report: %w; name the file itself (or leave out --out for standard output)", err)
		}
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	return nil
}

// replace writes data to a temporary file next to path and moves it into
// place: over the regular file there when exists, else only if path is
// still free (a hard link fails on an existing name; rename is the fallback
// where the file system has no hard links).
func replace(path string, data []byte, exists bool) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	if !exists {
		lerr := os.Link(tmp, path)
		if lerr == nil {
			os.Remove(tmp)
			return nil
		}
		if errors.Is(lerr, fs.ErrExist) {
			err = fmt.Errorf("writing report %s: the name was taken while the report was written; run again: %w", path, lerr)
			return err
		}
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	return nil
}

// Emit writes r as `traycheck report` does: as JSON or text, to stdout when
// out is "", else atomically to the file out, saying so on stdout.
func (r *Report) Emit(stdout io.Writer, asJSON bool, out string) error {
	var buf bytes.Buffer
	var err error
	if asJSON {
		err = r.WriteJSON(&buf)
	} else {
		err = r.WriteText(&buf)
	}
	if err == nil {
		if out == "" {
			_, err = stdout.Write(buf.Bytes())
		} else if err = WriteFile(out, buf.Bytes()); err == nil {
			fmt.Fprintf(stdout, "report written to %s\n", out)
		}
	}
	return err
}
