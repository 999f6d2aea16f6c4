package trigger_test

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/notify/dbustest"
	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/trigger"
	"github.com/traycheck/traycheck/internal/trigger/nmtest"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// systemBus starts a private dbus-daemon and makes it this test's system
// bus: there is no system bus on a build machine.
func systemBus(t *testing.T) *dbustest.Bus {
	t.Helper()
	bus := dbustest.Start(t, "")
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", bus.Address)
	return bus
}

func nextEvent(t *testing.T, ch <-chan trigger.Event) trigger.Event {
	t.Helper()
	select {
	case ev := <-ch:
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
	}
	return trigger.Event{}
}

// The fake NetworkManager (the true edge) owns its name on a private system
// bus and emits the real VpnStateChanged: the source maps the active
// connection to its settings (openvpn, local-port) and the loop's check
// finds socat on that port. A forged signal from another connection is
// ignored; ACTIVATED is a connected event.
func TestNetworkManagerVPNFailureNamesTheHolder(t *testing.T) {
	bus := systemBus(t)
	socat := testenv.LookPath(t, "socat")
	port := freeUDPPort(t)
	ps := strconv.Itoa(int(port))
	holder := testenv.Start(t, exec.Command(socat, "-u", "UDP4-RECV:"+ps, "/dev/null"))
	testenv.WaitFor(t, 5*time.Second, "socat holding udp/"+ps, func() bool {
		c, err := net.ListenPacket("udp4", ":"+ps)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	nm, err := nmtest.Start(bus.Conn(t), "work", nmtest.OpenVPN("work", port, false))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, st := trigger.Run(ctx, nil, &trigger.NetworkManager{})
	if !st[0].Active {
		t.Fatalf("status %+v", st)
	}

	forger := bus.Conn(t)
	if err := forger.Emit(nmtest.ActivePath, "org.freedesktop.NetworkManager.VPN.Connection.VpnStateChanged", uint32(6), uint32(8)); err != nil {
		t.Fatal(err)
	}
	if err := nm.VPNState(6, 8); err != nil {
		t.Fatal(err)
	}
	ev := nextEvent(t, ch)
	res := vpnport.Resource{Kind: vpnport.UDP, Port: port}
	if ev.Kind != trigger.Failed || ev.Connection != "work" || ev.Code != "service-start-failed" ||
		len(ev.Resources) != 1 || ev.Resources[0] != res || ev.Program != "openvpn" {
		t.Fatalf("event %+v", ev)
	}
	select {
	case x := <-ch:
		t.Fatalf("a second event %+v: the forged signal was taken", x)
	case <-time.After(300 * time.Millisecond):
	}

	cfg := &config.Config{Interval: time.Hour}
	reports := make(chan monitor.Report, 4)
	m, err := monitor.New(monitor.Options{Config: cfg, Prober: vpnport.New(), Sinks: []monitor.Sink{reportSink(reports)}})
	if err != nil {
		t.Fatal(err)
	}
	go m.Run(ctx)
	<-reports
	m.Failed(ev)
	r := <-reports
	held := r.Failures[0].Held()
	if len(held) != 1 || held[0].Holders[0].PID != holder.Cmd.Process.Pid || held[0].Cause != diagnose.OtherApp {
		t.Fatalf("findings %+v", r.Failures[0].Findings)
	}
	t.Log(monitor.Title(ev, held[0]))

	if err := nm.VPNState(5, 1); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, ch); ev.Kind != trigger.Connected || ev.Connection != "work" {
		t.Fatalf("activated: %+v", ev)
	}
	// The user's own disconnect is no failure.
	if err := nm.VPNState(7, 2); err != nil {
		t.Fatal(err)
	}
	select {
	case x := <-ch:
		t.Fatalf("user disconnect became %+v", x)
	case <-time.After(300 * time.Millisecond):
	}
}

// Without NetworkManager on the bus the source is off and says why.
func TestNetworkManagerAbsent(t *testing.T) {
	systemBus(t)
	_, st := trigger.Run(context.Background(), nil, &trigger.NetworkManager{})
	if st[0].Active || st[0].Why != "NetworkManager is not running" {
		t.Fatalf("status %+v", st)
	}
}
