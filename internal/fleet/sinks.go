package fleet

import (
	"fmt"
	"log/slog"

	"github.com/traycheck/traycheck/internal/monitor"
)

// DefaultTextfileDir is node_exporter's textfile directory on Debian, used
// when the policy names the textfile sink without `watch --textfile DIR`.
const DefaultTextfileDir = "/var/lib/prometheus/node-exporter"

// Sinks returns the monitor sinks for the named fleet sinks ("journal",
// "eventlog", "textfile"; from the machine policy), plus the textfile sink
// when textfileDir is set. A sink this OS has no such system for is logged
// and left out: a fleet-wide policy may name both journal and eventlog.
// close releases them.
func Sinks(names []string, textfileDir string, shareCmdline bool, log *slog.Logger) (sinks []monitor.Sink, close func()) {
	var closers []func() error
	for _, n := range names {
		switch n {
		case "textfile":
			if textfileDir == "" {
				textfileDir = DefaultTextfileDir
			}
		case "journal", "eventlog":
			w, err := osWriter(n, shareCmdline)
			if err != nil {
				if log != nil {
					log.Info("fleet sink not available here", "sink", n, "err", err)
				}
				continue
			}
			closers = append(closers, w.Close)
			sinks = append(sinks, &Sink{W: w, ShareCmdline: shareCmdline, Log: log})
		default:
			if log != nil {
				log.Warn("unknown fleet sink", "sink", n)
			}
		}
	}
	if textfileDir != "" {
		sinks = append(sinks, &Textfile{Dir: textfileDir, Log: log})
	}
	return sinks, func() {
		for _, c := range closers {
			c()
		}
	}
}

// closingWriter is a Writer that holds a connection or handle.
type closingWriter interface {
	Writer
	Close() error
}

var errNoSink = fmt.Errorf("not on this OS")
