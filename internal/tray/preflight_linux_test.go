//go:build linux

package tray

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/traycheck/traycheck/internal/notify/dbustest"
)

func TestPreflight(t *testing.T) {
	ctx := context.Background()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	if _, err := Preflight(ctx); !errors.Is(err, ErrNoDesktop) {
		t.Errorf("no bus address: err = %v, want ErrNoDesktop", err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "gone"))
	if _, err := Preflight(ctx); !errors.Is(err, ErrNoDesktop) {
		t.Errorf("dead bus: err = %v, want ErrNoDesktop", err)
	}
	bus := dbustest.Start(t, "")
	if host, err := Preflight(ctx); err != nil || host {
		t.Errorf("bus without watcher: host=%v err=%v, want false, nil", host, err)
	}
	w := bus.Conn(t)
	if r, err := w.RequestName(watcherName, dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning the watcher name: %v %v", r, err)
	}
	if host, err := Preflight(ctx); err != nil || !host {
		t.Errorf("bus with watcher: host=%v err=%v, want true, nil", host, err)
	}
}

func TestNoHostAdvice(t *testing.T) {
	for desktop, want := range map[string]string{
		"ubuntu:GNOME": "AppIndicator", "X-Cinnamon": "xapp-sn-watcher", "XFCE": "snixembed", "": "snixembed",
	} {
		if got := NoHostAdvice(desktop); !strings.Contains(got, want) {
			t.Errorf("NoHostAdvice(%q) = %q, want it to mention %s", desktop, got, want)
		}
	}
	if n := noHostNote("GNOME"); !strings.Contains(n.Body, "AppIndicator") || n.Tag == "" {
		t.Errorf("note = %+v", n)
	}
}
