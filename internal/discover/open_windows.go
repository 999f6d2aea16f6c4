package discover

import "os"

// openNoBlock opens path for reading; Windows has no FIFOs in the file system,
// and readSource refuses anything but a regular file.
func openNoBlock(path string) (*os.File, error) { return os.Open(path) }
