//go:build !windows

package fleet

import (
	"fmt"
	"runtime"
)

// osWriter is journald where it runs (Linux); the Application log is
// Windows'.
func osWriter(name string, shareCmdline bool) (closingWriter, error) {
	if name != "journal" || runtime.GOOS != "linux" {
		return nil, fmt.Errorf("%s: %w", name, errNoSink)
	}
	return &Journal{ShareCmdline: shareCmdline}, nil
}
