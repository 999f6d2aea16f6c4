package remedy

import "os"

// openLockFile opens a lock file for the re-check before removal. Windows
// has no UUCP lock files; the finding never offers remove-lock there.
func openLockFile(path string) (*os.File, error) {
	return os.Open(path)
}
