package vpnport

import "github.com/traycheck/traycheck/internal/vpnport/procfs"

// readFD keeps device_linux.go's bounded reads on procfs's one read loop.
func readFD(fd int, buf []byte, limit int) ([]byte, error) { return procfs.ReadFD(fd, buf, limit) }
