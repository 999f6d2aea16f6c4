package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/discover"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/reload"
	"github.com/traycheck/traycheck/internal/remedy"
	"github.com/traycheck/traycheck/internal/safetext"
)

// liveReload keeps the running loop m on the config in force (see package
// reload) until ctx ends. withRemedy makes a new remedy for each new config
// (the tray's: its adapter, reconnect command and forbidden actions come
// from the config); adjust, when not nil, re-applies the command line's
// overrides (watch --interval) to each new config.
func liveReload(ctx context.Context, e *env, cfgPath string, m *monitor.Monitor, withRemedy bool, adjust func(*config.Config)) {
	current, err := loadLayers(cfgPath)
	if err != nil {
		e.log.Warn("no live reload: the config no longer loads", "err", err)
		return
	}
	reload.Run(ctx, reload.Options{
		Load:     func(context.Context) (discover.Layers, error) { return loadLayers(cfgPath) },
		UserPath: cfgPath,
		Sources:  discoverSources(),
		Apply: func(l discover.Layers, changed []string) {
			cfg := l.Effective
			if adjust != nil {
				adjust(cfg)
			}
			var rem monitor.Remedy
			if withRemedy {
				rem = remedy.New(remedy.ConfigOptions(cfg, e.log))
			}
			m.Reload(cfg, rem, changed)
		},
		Fail: m.ConfigError,
		Log:  e.log,
	}, current)
}

// configNotes is watch's sink for reloads: a refused edit is said on the
// terminal with its file and line, and so is a reload.
type configNotes struct {
	w      io.Writer
	asJSON bool
}

func (configNotes) Checking(monitor.Trigger) {}
func (configNotes) Result(monitor.Report)    {}

func (c configNotes) Config(ev monitor.ConfigEvent) {
	if c.asJSON {
		file, line := ev.File()
		v := struct {
			Event   string   `json:"event"`
			At      string   `json:"at"`
			Changed []string `json:"changed"`
			Error   string   `json:"error,omitempty"`
			File    string   `json:"file,omitempty"`
			Line    int      `json:"line,omitempty"`
			Policy  bool     `json:"policy,omitempty"`
		}{"config", ev.At.UTC().Format("2006-01-02T15:04:05Z"), append([]string{}, ev.Changed...), "", file, line, ev.Policy}
		if ev.Err != nil {
			v.Error = ev.Err.Error()
		}
		_ = safetext.WriteJSONLine(c.w, v)
		return
	}
	stamp := ev.At.Format("15:04:05")
	if ev.Err != nil {
		fmt.Fprintf(c.w, "%s config not applied, keeping the last good one: %s\n", stamp, safetext.Printable(ev.Err.Error()))
		return
	}
	if len(ev.Changed) == 0 {
		fmt.Fprintf(c.w, "%s config loads again\n", stamp)
	}
	for _, ch := range ev.Changed {
		fmt.Fprintf(c.w, "%s config changed: %s\n", stamp, safetext.Printable(ch))
	}
}

// configNotifier is the tray's sink for reloads when its controller has
// none of its own: a refused edit is a notification naming the file and
// line (the last good config stays), and the next good load replaces it.
// Show runs off the loop goroutine: a sink must not block.
type configNotifier struct {
	ctx    context.Context
	n      notify.Notifier
	log    *slog.Logger
	failed *atomic.Bool
}

func (configNotifier) Checking(monitor.Trigger) {}
func (configNotifier) Result(monitor.Report)    {}

func (c configNotifier) Config(ev monitor.ConfigEvent) {
	note := notify.Note{Tag: "traycheck-config"}
	switch {
	case ev.Err != nil && ev.Policy:
		note.Title = "Machine policy not applied"
		note.Body = safetext.Printable(ev.Err.Error()) + "\nThe last good policy stays in force."
	case ev.Err != nil:
		note.Title = "Config not applied"
		note.Body = safetext.Printable(ev.Err.Error()) + "\nThe last good config stays in force; fix the line and save."
	case c.failed.Load():
		note.Title = "Config applied"
		note.Body = "The config loads again and is in force."
	default:
		return // a good reload is logged, not notified
	}
	c.failed.Store(ev.Err != nil)
	go func() {
		ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
		defer cancel()
		if err := c.n.Show(ctx, note); err != nil {
			c.log.Warn("could not show the config note", "err", err)
		}
	}()
}

// withConfigNotes adds configNotifier to the tray's sinks unless the
// controller shows reloads itself.
func withConfigNotes(ctx context.Context, sinks []monitor.Sink, ctrl any, n notify.Notifier, log *slog.Logger) []monitor.Sink {
	if _, ok := ctrl.(monitor.ConfigSink); ok {
		return sinks
	}
	return append(sinks, configNotifier{ctx: ctx, n: n, log: log, failed: &atomic.Bool{}})
}
