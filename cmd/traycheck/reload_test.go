package main

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/notify"
)

// configNoteRecorder is the notification bus's edge: what the tray would show.
type configNoteRecorder struct {
	mu    sync.Mutex
	notes []notify.Note
	shown chan struct{}
}

func (r *configNoteRecorder) Show(_ context.Context, n notify.Note) error {
	r.mu.Lock()
	r.notes = append(r.notes, n)
	r.mu.Unlock()
	r.shown <- struct{}{}
	return nil
}
func (r *configNoteRecorder) Responses() <-chan notify.Response { return nil }
func (r *configNoteRecorder) Close() error                      { return nil }

// A refused edit is a notification naming the file and line; a good
// reload after it says the config is in force again; other good reloads
// are only logged.
func TestConfigNotifier(t *testing.T) {
	rec := &configNoteRecorder{shown: make(chan struct{}, 8)}
	sinks := withConfigNotes(context.Background(), nil, struct{}{}, rec, slog.Default())
	if len(sinks) != 1 {
		t.Fatalf("sinks: %v", sinks)
	}
	cs := sinks[0].(monitor.ConfigSink)
	wait := func() notify.Note {
		t.Helper()
		select {
		case <-rec.shown:
		case <-time.After(10 * time.Second):
			t.Fatal("no note")
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return rec.notes[len(rec.notes)-1]
	}
	cs.Config(monitor.ConfigEvent{Changed: []string{"vpn.ports: …"}})
	cs.Config(monitor.ConfigEvent{Err: &config.Error{File: "/home/u/.config/traycheck/config.toml", Line: 4, Col: 18, Msg: "forward port 0 is out of range; want 1..65535"}})
	n := wait()
	if n.Title != "Config not applied" || !strings.HasPrefix(n.Body, "/home/u/.config/traycheck/config.toml:4:18: forward port 0") {
		t.Errorf("error note: %+v", n)
	}
	cs.Config(monitor.ConfigEvent{Changed: []string{"ssh.forward_ports: …"}})
	if n := wait(); n.Title != "Config applied" || n.Tag != "traycheck-config" {
		t.Errorf("recovery note: %+v", n)
	}
	cs.Config(monitor.ConfigEvent{Err: &config.Error{File: "/etc/traycheck/policy.toml", Line: 2, Msg: "bad port"}, Policy: true})
	if n := wait(); n.Title != "Machine policy not applied" || !strings.Contains(n.Body, "policy.toml:2") {
		t.Errorf("policy note: %+v", n)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.notes) != 3 {
		t.Errorf("%d notes, want 3 (a good reload without an earlier error is not notified)", len(rec.notes))
	}
}
