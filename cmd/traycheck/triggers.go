package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/discover"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/notify/compose"
	"github.com/traycheck/traycheck/internal/safetext"
	"github.com/traycheck/traycheck/internal/trigger"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// triggerSources are this OS's failure-event sources.
func triggerSources(log *slog.Logger) []trigger.Source {
	switch runtime.GOOS {
	case "linux":
		return []trigger.Source{&trigger.Journald{Log: log}, &trigger.NetworkManager{Log: log}}
	case "windows":
		pbks := discover.DefaultSources().Phonebooks
		return []trigger.Source{&trigger.RasClient{Log: log,
			Phonebook: func(name string) ([]vpnport.Resource, bool) { return discover.PhonebookEntry(pbks, name) }},
			&trigger.LogFiles{Log: log}}
	}
	return nil
}

// allTriggerNames are every source's name, in config order.
var allTriggerNames = config.TriggerSources

// triggerStatus is `config show`'s account of the failure-event sources:
// which would run here, and why the others would not.
func triggerStatus(ctx context.Context, cfg *config.Config, log *slog.Logger) []trigger.Status {
	here := map[string]trigger.Source{}
	for _, s := range triggerSources(log) {
		here[s.Name()] = s
	}
	var st []trigger.Status
	for _, name := range allTriggerNames {
		s, ok := here[name]
		switch {
		case !ok:
			st = append(st, trigger.Status{Name: name, Why: "not a source on " + runtime.GOOS})
		case cfg.TriggerOff(name):
			st = append(st, trigger.Status{Name: name, Why: "turned off by " + cfg.TriggerOffBy(name)})
		default:
			st = append(st, trigger.Check(ctx, s)...)
		}
	}
	return st
}

// startTriggers starts the failure-event sources the policy leaves on and
// feeds their events to m until ctx ends.
func startTriggers(ctx context.Context, e *env, cfg *config.Config, m *monitor.Monitor) []trigger.Status {
	var on []trigger.Source
	var st []trigger.Status
	for _, s := range triggerSources(e.log) {
		if cfg.TriggerOff(s.Name()) {
			st = append(st, trigger.Status{Name: s.Name(), Why: "turned off by " + cfg.TriggerOffBy(s.Name())})
			continue
		}
		on = append(on, s)
	}
	ch, started := trigger.Run(ctx, e.log, on...)
	st = append(st, started...)
	for _, s := range st {
		e.log.Debug("failure events", "source", s.Name, "active", s.Active, "why", s.Why)
	}
	go m.Feed(ctx, ch)
	return st
}

// eventPrinter is watch's view of the VPN clients' events: each with its
// check's verdict, one line (or JSON object) per event.
type eventPrinter struct {
	w    io.Writer
	json bool
}

func (p eventPrinter) Checking(monitor.Trigger) {}

func (p eventPrinter) Result(r monitor.Report) {
	for _, fo := range r.Failures {
		ev := fo.Event
		held := fo.Held()
		if p.json {
			type holder struct {
				Resource string `json:"resource"`
				Title    string `json:"title"`
			}
			var hs []holder
			for _, f := range held {
				hs = append(hs, holder{f.Resource.String(), compose.Title(f)})
			}
			kind := "vpn-failed"
			if ev.Kind == trigger.Connected {
				kind = "vpn-connected"
			}
			_ = safetext.WriteJSONLine(p.w, struct {
				Event      string   `json:"event"`
				Source     string   `json:"source"`
				Connection string   `json:"connection"`
				Program    string   `json:"program"`
				Code       string   `json:"code"`
				Line       string   `json:"line"`
				At         string   `json:"at"`
				Held       []holder `json:"held"`
			}{kind, ev.Source, ev.Name(), ev.Program, ev.Code, ev.Line, ev.At.UTC().Format("2006-01-02T15:04:05.000Z07:00"), hs})
			continue
		}
		if ev.Kind == trigger.Connected {
			fmt.Fprintf(p.w, "%s  vpn %s connected (%s)\n", ev.At.Format("15:04:05"), safetext.Printable(ev.Name()), ev.Source)
			continue
		}
		var what []string
		for _, f := range held {
			what = append(what, compose.Title(f))
		}
		verdict := "nothing held: not a port or device conflict"
		if len(what) > 0 {
			verdict = strings.Join(what, "; ")
		}
		fmt.Fprintf(p.w, "%s  vpn %s failed (%s, %s): %q: %s\n", ev.At.Format("15:04:05"), safetext.Printable(ev.Name()),
			ev.Source, safetext.Printable(ev.Code), safetext.Printable(ev.Line), verdict)
	}
}

// writeTriggerStatus appends the sources' lines to `config show`'s text.
func writeTriggerStatus(e *env, path string) error {
	cfg, err := loadConfig(path)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	fmt.Fprintln(e.stdout, "\nfailure events:")
	for _, s := range triggerStatus(ctx, cfg, e.log) {
		fmt.Fprintln(e.stdout, "  "+safetext.Printable(s.String()))
	}
	return nil
}
