package trigger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/traycheck/traycheck/internal/discover"
	"github.com/traycheck/traycheck/internal/vpnport"
)

const (
	nmName       = "org.freedesktop.NetworkManager"
	nmVPNConnIf  = "org.freedesktop.NetworkManager.VPN.Connection"
	nmActiveIf   = "org.freedesktop.NetworkManager.Connection.Active"
	nmDeviceIf   = "org.freedesktop.NetworkManager.Device"
	nmSettingsIf = "org.freedesktop.NetworkManager.Settings.Connection"
	dbusName     = "org.freedesktop.DBus"
	// nmCallTimeout bounds the calls made for one signal.
	nmCallTimeout = 2 * time.Second
)

// Start implements Source.
func (n *NetworkManager) Start(ctx context.Context) (<-chan Event, error) {
	log := n.Log
	if log == nil {
		log = slog.Default()
	}
	var conn *dbus.Conn
	var err error
	if n.Address != "" {
		conn, err = dbus.Dial(n.Address, dbus.WithContext(context.WithoutCancel(ctx)))
	} else {
		conn, err = dbus.SystemBusPrivate(dbus.WithContext(context.WithoutCancel(ctx)))
	}
	if err != nil {
		return nil, fmt.Errorf("no system bus: %w", err)
	}
	if err := conn.Auth(nil); err == nil {
		err = conn.Hello()
	}
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("system bus: %w", err)
	}
	var has bool
	if err := conn.BusObject().CallWithContext(ctx, dbusName+".NameHasOwner", 0, nmName).Store(&has); err != nil || !has {
		conn.Close()
		return nil, errors.New("NetworkManager is not running")
	}
	sigs := make(chan *dbus.Signal, 32)
	conn.Signal(sigs)
	for _, r := range [][]dbus.MatchOption{
		{dbus.WithMatchSender(nmName), dbus.WithMatchInterface(nmVPNConnIf), dbus.WithMatchMember("VpnStateChanged")},
		{dbus.WithMatchSender(nmName), dbus.WithMatchInterface(nmDeviceIf), dbus.WithMatchMember("StateChanged")},
	} {
		if err := conn.AddMatchSignalContext(ctx, r...); err != nil {
			conn.Close()
			return nil, fmt.Errorf("system bus match: %w", err)
		}
	}
	out := make(chan Event, 8)
	w := &nmWatch{conn: conn, log: log}
	go func() {
		<-ctx.Done()
		conn.Close() // closes sigs
	}()
	go func() {
		defer close(out)
		for sig := range sigs {
			ev, ok := w.event(ctx, sig)
			if !ok {
				continue
			}
			select {
			case out <- ev:
			case <-ctx.Done():
			}
		}
	}()
	return out, nil
}

type nmWatch struct {
	conn *dbus.Conn
	log  *slog.Logger
}

// owner is NetworkManager's unique name now: only its signals count (any
// local program may emit a signal of the same name).
func (w *nmWatch) owner(ctx context.Context) string {
	var o string
	_ = w.conn.BusObject().CallWithContext(ctx, dbusName+".GetNameOwner", 0, nmName).Store(&o)
	return o
}

func (w *nmWatch) event(ctx context.Context, sig *dbus.Signal) (Event, bool) {
	ctx, cancel := context.WithTimeout(ctx, nmCallTimeout)
	defer cancel()
	now := time.Now()
	switch sig.Name {
	case nmVPNConnIf + ".VpnStateChanged":
		state, reason, ok := twoUints(sig.Body)
		if !ok || sig.Sender != w.owner(ctx) {
			return Event{}, false
		}
		ev := Event{Source: "networkmanager", Program: "NetworkManager", At: now}
		switch {
		case state == nmVPNActivated:
			ev.Kind = Connected
		case nmVPNIsFailure(state, reason):
			ev.Kind = Failed
			ev.Code = nmVPNReasonName(reason)
		default:
			return Event{}, false
		}
		ev.Connection, ev.Resources, ev.Program = w.profile(ctx, sig.Path)
		if ev.Kind == Failed {
			what := "failed"
			if state == nmVPNDisconnected {
				what = "disconnected"
			}
			ev.Line = fmt.Sprintf("NetworkManager: VPN connection '%s' %s (%s)", ev.Connection, what, ev.Code)
		}
		return ev, true
	case nmDeviceIf + ".StateChanged":
		if len(sig.Body) != 3 {
			return Event{}, false
		}
		state, _ := sig.Body[0].(uint32)
		reason, _ := sig.Body[2].(uint32)
		name, isModem := nmModemReasons[reason]
		// Every device's every state change arrives here (Wi-Fi roaming,
		// docks): only the two that matter cost a call to the bus.
		if state != nmDeviceActivated && (state != nmDeviceFailed || !isModem) || sig.Sender != w.owner(ctx) {
			return Event{}, false
		}
		if state == nmDeviceActivated {
			// Only a device with a failure note matters; the sink matches
			// by connection name, so report it like any other.
			conn, rs, _ := w.device(ctx, sig.Path)
			if len(rs) == 0 {
				return Event{}, false
			}
			return Event{Kind: Connected, Source: "networkmanager", Program: "ModemManager", Connection: conn, Resources: rs, At: now}, true
		}
		conn, rs, iface := w.device(ctx, sig.Path)
		return Event{Kind: Failed, Source: "networkmanager", Program: "ModemManager", Connection: conn, Code: name,
			Line: fmt.Sprintf("NetworkManager: device %s failed (%s)", iface, name), Resources: rs, At: now}, true
	}
	return Event{}, false
}

func twoUints(body []any) (a, b uint32, ok bool) {
	if len(body) != 2 {
		return 0, 0, false
	}
	a, ok1 := body[0].(uint32)
	b, ok2 := body[1].(uint32)
	return a, b, ok1 && ok2
}

// profile maps an active connection to its settings: the connection's id
// and the local resources its VPN plugin binds.
func (w *nmWatch) profile(ctx context.Context, active dbus.ObjectPath) (string, []vpnport.Resource, string) {
	obj := w.conn.Object(nmName, active)
	id, _ := prop[string](ctx, obj, nmActiveIf, "Id")
	settings, err := prop[dbus.ObjectPath](ctx, obj, nmActiveIf, "Connection")
	if err != nil {
		w.log.Info("NetworkManager: the failed connection is gone; its ports are unknown", "active", active, "err", err)
		return id, nil, "NetworkManager"
	}
	var s map[string]map[string]dbus.Variant
	if err := w.conn.Object(nmName, settings).CallWithContext(ctx, nmSettingsIf+".GetSettings", 0).Store(&s); err != nil {
		w.log.Info("NetworkManager: cannot read the connection's settings", "connection", id, "err", err)
		return id, nil, "NetworkManager"
	}
	p, _ := discover.NMSettings(settings, s)
	if id == "" {
		id = p.ID
	}
	prog := "NetworkManager"
	if len(p.Clients) > 0 {
		prog = p.Clients[0]
	}
	return id, p.Resources, prog
}

// device is a modem device's connection name and its serial port.
func (w *nmWatch) device(ctx context.Context, dev dbus.ObjectPath) (string, []vpnport.Resource, string) {
	obj := w.conn.Object(nmName, dev)
	iface, _ := prop[string](ctx, obj, nmDeviceIf, "Interface")
	var rs []vpnport.Resource
	if strings.HasPrefix(iface, "tty") || strings.HasPrefix(iface, "rfcomm") {
		rs = append(rs, vpnport.Resource{Kind: vpnport.Device, Path: "/dev/" + iface})
	}
	name := iface
	if ac, err := prop[dbus.ObjectPath](ctx, obj, nmDeviceIf, "ActiveConnection"); err == nil && ac != "/" {
		if id, err := prop[string](ctx, w.conn.Object(nmName, ac), nmActiveIf, "Id"); err == nil && id != "" {
			name = id
		}
	}
	return name, rs, iface
}

func prop[T any](ctx context.Context, obj dbus.BusObject, iface, name string) (T, error) {
	var zero T
	var v dbus.Variant
	if err := obj.CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0, iface, name).Store(&v); err != nil {
		return zero, err
	}
	t, ok := v.Value().(T)
	if !ok {
		return zero, fmt.Errorf("%s.%s is %s", iface, name, v.Signature())
	}
	return t, nil
}
