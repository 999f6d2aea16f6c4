package report

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteFile writes data to path atomically: into a temporary file in the
// same directory, synced, then renamed over path, so a reader (or a crash)
// sees the old report or the new one, never half of one. The file is
// private (0600, os.CreateTemp's mode): even redacted, a report describes
// the user's machine.
func WriteFile(path string, data []byte) (err error) {
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
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	return nil
}
