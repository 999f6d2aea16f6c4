package fleet

import "fmt"

// osWriter is the Application log; journald is Linux's.
func osWriter(name string, shareCmdline bool) (closingWriter, error) {
	if name != "eventlog" {
		return nil, fmt.Errorf("%s: %w", name, errNoSink)
	}
	return &EventLog{ShareCmdline: shareCmdline}, nil
}
