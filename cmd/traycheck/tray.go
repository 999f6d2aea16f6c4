package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/traycheck/traycheck/internal/autostart"
	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/instance"
	"github.com/traycheck/traycheck/internal/logfile"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/remedy"
	"github.com/traycheck/traycheck/internal/tray"
	"github.com/traycheck/traycheck/internal/vpnport"
)

func init() {
	register(&command{name: "tray", summary: "show the tray icon (what traycheck does on a desktop)", run: runTrayCmd})
}

// runTrayCmd is `traycheck tray [--config FILE]`: the tray app, refusing to
// start where there is no desktop (the bare `traycheck` falls back to the
// console instead).
func runTrayCmd(ctx context.Context, e *env, args []string) int {
	fl := flag.NewFlagSet("tray", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	cfgPath := fl.String("config", "", "config file (default: the user config file, else the embedded default)")
	if code, ok := parseFlags(e, fl, args); !ok {
		return code
	}
	cfg, code := loadConfig(e, *cfgPath)
	if cfg == nil {
		return code
	}
	host, err := tray.Preflight(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "traycheck tray: %v; run `traycheck watch` for the console mode\n", err)
		return exitUsage
	}
	return runTray(ctx, e, cfg, *cfgPath, host)
}

// runTray wires the watch loop to the tray and notifications and blocks
// until the user quits or ctx ends.
func runTray(ctx context.Context, e *env, cfg *config.Config, cfgPath string, host bool) int {
	lock, code, ok := claimInstance(ctx, e)
	if !ok {
		return code // another traycheck runs in this session and was asked to check now
	}
	if lock != nil {
		defer lock.Release()
	}
	outer := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n, err := notify.New(ctx, notify.Options{Log: e.log})
	if err != nil {
		e.log.Warn("notifications unavailable; actions stay in the tray menu", "err", err)
		n = notify.None()
	}
	defer n.Close()
	logPath, err := logfile.DefaultPath()
	if err != nil {
		e.log.Warn("no log file to open from the menu", "err", err)
	}
	ctrl := tray.NewController(tray.Options{Notifier: n, OpenConfig: configOpener(e, cfgPath),
		Diagnostics: diagnosticsWriter(e, cfg), LogPath: logPath, Autostart: loginSwitch{}, Log: e.log})

	prober := vpnport.New()
	defer prober.Close()
	events := powerEvents(ctx, e)
	runner := newRunner(e, cfg)
	fwd := newForwarder()
	fwd.OnAction = answerForwarded(ctrl, n)
	m, err := monitor.New(monitor.Options{Config: cfg, Prober: prober, Power: events,
		Sinks: []monitor.Sink{ctrl, fwd, journal{log: e.journal}}, Remedy: trayRemedy(runner), Log: e.log})
	if err != nil {
		fmt.Fprintf(e.stderr, "traycheck: %v\n", err)
		return exitUsage
	}
	ctrl.Attach(m)
	fwd.Attach(m)
	if lock != nil {
		// The notes' tokens are the controller's, so it checks them.
		srv, err := fwd.Serve(lock, ctrl, e)
		if err != nil {
			e.log.Warn("later launches cannot reach this one (check-now, actions)", "err", err)
		} else {
			defer srv.Close()
		}
	}
	loopDone := make(chan error, 1)
	go func() { loopDone <- m.Run(ctx) }()
	e.log.Info("tray started", "config", cfg.Source, "resources", len(cfg.Resources()), "tray_host", host)
	if err := tray.Run(ctx, ctrl, host); err != nil {
		if errors.Is(err, tray.ErrBusLost) {
			cancel()
			<-loopDone
			return afterBusLoss(outer, e)
		}
		fmt.Fprintf(e.stderr, "traycheck: %v\n", err)
		return exitUsage
	}
	cancel()
	if err := <-loopDone; err != nil && !errors.Is(err, context.Canceled) {
		e.log.Error("watch loop ended", "err", err)
	}
	return exitOK
}

// answerForwarded routes an action a later launch forwarded (a toast
// button's URI on Windows, `traycheck action`) to the note it answers, so it
// is vetted exactly like a click: the toast notifier first, when it showed
// the note, then the controller.
func answerForwarded(ctrl *tray.Controller, n notify.Notifier) func(context.Context, instance.Message) (instance.Reply, bool) {
	return func(_ context.Context, m instance.Message) (instance.Reply, bool) {
		var err error
		if t, ok := n.(*notify.Toast); ok {
			err = t.DeliverAction(notify.ActionURI{Action: m.Action, Tag: m.Resource, Token: m.Token})
		} else {
			err = ctrl.Answer(notify.Response{Tag: m.Resource, Action: m.Action, Token: m.Token})
		}
		if err != nil {
			return instance.Reply{Error: err.Error()}, true
		}
		return instance.Reply{OK: true, Message: "traycheck took the " + m.Action + " answer for " + m.Resource + "; see the tray"}, true
	}
}

// trayRemedy adapts the remedy runner to the loop, translating its
// confirmation request into the loop's.
// newRunner is the remedy runner for cfg. An elevated check gets the user's
// config file by absolute path, since root's home has another (or none).
func newRunner(e *env, cfg *config.Config) *remedy.Runner {
	o := remedy.Options{Adapter: cfg.Adapter, Reconnect: cfg.Reconnect, Log: e.log}
	if cfg.Source != config.EmbeddedSource {
		if abs, err := filepath.Abs(cfg.Source); err == nil {
			o.ConfigPath = abs
		}
	}
	return remedy.New(o)
}

func trayRemedy(r *remedy.Runner) monitor.Remedy {
	return func(ctx context.Context, req monitor.Request) (monitor.RemedyResult, error) {
		res, err := r.Do(ctx, remedy.Request{Action: req.Action, Finding: req.Finding, PID: req.PID, Confirmed: req.Confirmed})
		var ce *remedy.ConfirmationError
		if errors.As(err, &ce) {
			return monitor.RemedyResult{}, &monitor.ConfirmationError{Prompt: ce.Prompt}
		}
		return monitor.RemedyResult{Message: res.Message, RecheckAfter: res.RecheckAfter}, err
	}
}

// loginSwitch is package autostart as the tray's "Start at login" checkbox.
type loginSwitch struct{}

func (loginSwitch) Enabled() (bool, error) { return autostart.Enabled() }
func (loginSwitch) Enable() error          { return autostart.Enable() }
func (loginSwitch) Disable() error         { return autostart.Disable() }

// configOpener opens the config file in the user's editor, first writing the
// default there when there is none, so "Open config" always shows a file.
func configOpener(e *env, path string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		p := path
		if p == "" {
			var err error
			if p, err = config.DefaultPath(); err != nil {
				return err
			}
		}
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			if err := config.WriteDefault(p, false); err != nil {
				return fmt.Errorf("creating %s: %w", p, err)
			}
			e.log.Info("wrote the default config", "path", p)
		}
		if err := tray.EditFile(ctx, p); err != nil {
			return err
		}
		e.log.Info("opened the config", "path", p)
		return nil
	}
}
