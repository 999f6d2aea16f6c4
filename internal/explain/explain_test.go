package explain

import (
	"slices"
	"testing"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

func TestCommandsFindsPastedSSH(t *testing.T) {
	t.Parallel()
	text := "bind [127.0.0.1]:8080: Address already in use\n$ ssh -N -L 8080:db:5432 jump\nuser@host$ ls -l\n"
	got := Commands(text)
	if len(got) != 1 || !slices.Equal(got[0], []string{"ssh", "-N", "-L", "8080:db:5432", "jump"}) {
		t.Fatalf("Commands = %q", got)
	}
}

func TestResourcesNamedOrConfigured(t *testing.T) {
	t.Parallel()
	udp500 := vpnport.Resource{Kind: vpnport.UDP, Port: 500}
	tty := vpnport.Resource{Kind: vpnport.Device, Path: "/dev/ttyUSB0"}
	cfg := &config.Config{Ports: []vpnport.Resource{udp500}, Devices: []vpnport.Resource{tty}}
	cases := []struct {
		name string
		text string
		want []vpnport.Resource
	}{
		{"named", "bind [127.0.0.1]:8080: Address already in use", []vpnport.Resource{{Kind: vpnport.TCP, Port: 8080}}},
		{"ras_633_checks_the_devices_first", "Error 633: The modem (or other connecting device) is already in use", []vpnport.Resource{tty}},
		{"serial_lock_without_device_checks_the_devices", "Device file is locked by another process", []vpnport.Resource{tty}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := diagnose.Explain(tc.text)
			if !m.Matched {
				t.Fatalf("%q not recognised", tc.text)
			}
			got := Resources(m, cfg).RS
			if len(got) < len(tc.want) || !slices.Equal(got[:len(tc.want)], tc.want) {
				t.Errorf("Resources = %v, want %v first", got, tc.want)
			}
		})
	}
}

// A device text that names no device, with no device configured, checks
// nothing (the configured ports are not what it is about).
func TestResourcesDeviceTextWithoutDevices(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{Ports: []vpnport.Resource{{Kind: vpnport.UDP, Port: 500}}}
	if sc := Resources(diagnose.Explain("cu: Line in use"), cfg); len(sc.RS) != 0 {
		t.Errorf("checked %v for a device text", sc.RS)
	}
}
