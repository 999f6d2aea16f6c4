package vpnport

import "github.com/traycheck/traycheck/internal/safefile"

// readBounded reads a small procfs file whole, up to max bytes, opened so
// that it cannot block and only if it is a regular file. Its one caller is
// procLimited; it goes when that moves to the procfs package.
func readBounded(path string, max int) ([]byte, error) {
	f, err := safefile.OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return safefile.ReadFull(f, int64(max))
}
