package diagnose

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// Each known culprit gets its own message, commands and actions: a row of
// the roles table per case.
func TestCulprits(t *testing.T) {
	t.Parallel()
	udp := func(p uint16) vpnport.Resource { return vpnport.Resource{Kind: vpnport.UDP, Port: p} }
	tcp := func(p uint16) vpnport.Resource { return vpnport.Resource{Kind: vpnport.TCP, Port: p} }
	dev := vpnport.Resource{Kind: vpnport.Device, Path: "/dev/ttyUSB0"}
	tests := []struct {
		name   string
		res    vpnport.Resource
		holder vpnport.Holder
		usb    string
		role   string
		end    bool // end-process still offered
		want   []string
	}{
		{"systemd service", udp(53), vpnport.Holder{PID: 812, Name: "dnsmasq", Unit: "dnsmasq.service"}, "",
			RoleSystemdService, true, []string{"the systemd service dnsmasq.service", "Restart= setting", "`sudo systemctl stop dnsmasq.service`", "`sudo systemctl disable dnsmasq.service`"}},
		{"user service", tcp(8384), vpnport.Holder{PID: 900, Name: "syncthing", Unit: "syncthing.service", UserUnit: true}, "",
			RoleSystemdService, true, []string{"your systemd user service syncthing.service", "`systemctl --user stop syncthing.service`"}},
		{"docker-proxy with a name", tcp(8080), vpnport.Holder{PID: 3000, Name: "docker-proxy", Container: "web (172.17.0.2:80)",
			Cmdline: []string{"/usr/bin/docker-proxy", "-proto", "tcp", "-host-port", "8080", "-container-ip", "172.17.0.2", "-container-port", "80"}}, "",
			RoleDockerProxy, false, []string{"published port of container web (172.17.0.2:80)", "`docker stop web`"}},
		{"docker-proxy without the engine", tcp(8080), vpnport.Holder{PID: 3000, Name: "docker-proxy", Container: "172.17.0.2:80",
			Cmdline: []string{"/usr/bin/docker-proxy", "-container-ip", "172.17.0.2", "-container-port", "80"}}, "",
			RoleDockerProxy, false, []string{"`docker ps --filter publish=8080`"}},
		{"another IPsec stack", udp(500), vpnport.Holder{PID: 700, Name: "pluto", Unit: "ipsec.service"}, "",
			RoleIPsecStack, true, []string{"another IPsec stack (libreswan's pluto)", "cannot share udp/500 and udp/4500"}},
		{"SoftEther on NAT-T", udp(4500), vpnport.Holder{PID: 701, Name: "vpnserver"}, "",
			RoleIPsecStack, true, []string{"SoftEther's VPN server"}},
		{"ModemManager", dev, vpnport.Holder{PID: 650, Name: "ModemManager", Unit: "ModemManager.service"}, "12d1:1001",
			RoleModemManager, false, []string{"probe it as a mobile broadband modem", `ATTRS{idVendor}=="12d1", ATTRS{idProduct}=="1001", ENV{ID_MM_DEVICE_IGNORE}="1"`}},
		{"brltty", dev, vpnport.Holder{PID: 651, Name: "brltty"}, "",
			RoleBrailleDriver, false, []string{"Braille display driver", "`sudo apt remove brltty`"}},
		{"HTTP.sys", tcp(80), vpnport.Holder{PID: 4, Name: "System", Kernel: true}, "",
			RoleHTTPSys, false, []string{"HTTP.sys", "`netsh http show servicestate`"}},
		{"Internet Connection Sharing", udp(500), vpnport.Holder{PID: 1200, Name: "svchost.exe", Service: "SharedAccess"}, "",
			RoleICS, false, []string{"Internet Connection Sharing", "`net stop SharedAccess`"}},
		{"iphlpsvc port proxy", tcp(1723), vpnport.Holder{PID: 1300, Name: "svchost.exe", Service: "iphlpsvc"}, "",
			RolePortProxy, false, []string{"netsh interface portproxy show all"}},
		{"AirPlay Receiver", tcp(5000), vpnport.Holder{PID: 400, Name: "ControlCenter"}, "",
			RoleAirPlay, false, []string{"AirPlay Receiver"}},
		{"AnyConnect web security", tcp(5001), vpnport.Holder{PID: 401, Name: "acwebsecagent"}, "",
			RoleAnyConnectWSA, false, []string{"Web Security agent"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := vpnport.Observation{Resource: tt.res, Holders: []vpnport.Holder{tt.holder}, USBID: tt.usb, Exists: true}
			if tt.res.Kind != vpnport.Device {
				o.Sockets = []vpnport.Socket{{Proto: tt.res.Kind, State: vpnport.StateListen, Local: netip.AddrPortFrom(netip.IPv4Unspecified(), tt.res.Port), Inode: 9, PIDs: []int{tt.holder.PID}}}
				if tt.res.Kind == vpnport.UDP {
					o.Sockets[0].State = vpnport.StateUnconn
				}
			}
			f := Diagnose(o, Context{Now: t0, VPNClients: []string{"openvpn"}})
			if f.Role() != tt.role {
				t.Fatalf("role %q, want %q (%s: %s)", f.Role(), tt.role, f.Cause, f.Message)
			}
			if f.Has(EndProcess) != tt.end {
				t.Errorf("end-process offered: %v, want %v (%v)", f.Has(EndProcess), tt.end, f.Actions)
			}
			for _, w := range tt.want {
				if !strings.Contains(f.Message, w) {
					t.Errorf("message %q lacks %q", f.Message, w)
				}
			}
			if slices.Contains(f.Actions, "") || len(f.Actions) == 0 {
				t.Errorf("actions %v", f.Actions)
			}
		})
	}
}

// A configured client is never a culprit: charon on udp/500 is the VPN.
func TestCulpritNotTheClient(t *testing.T) {
	t.Parallel()
	o := vpnport.Observation{Resource: vpnport.Resource{Kind: vpnport.UDP, Port: 500},
		Holders: []vpnport.Holder{{PID: 10, Name: "charon", Unit: "strongswan-starter.service"}},
		Sockets: []vpnport.Socket{{Proto: vpnport.UDP, State: vpnport.StateUnconn, Local: netip.MustParseAddrPort("0.0.0.0:500"), Inode: 3, PIDs: []int{10}}}}
	f := Diagnose(o, Context{Now: t0, VPNClients: []string{"charon"}})
	if f.Cause != VPNClient || f.NeedsAttention() {
		t.Fatalf("%s: %s", f.Cause, f.Message)
	}
}

// A Hyper-V/WinNAT reservation gets the administrator's fix, port filled in.
func TestReservedRangeAdminFix(t *testing.T) {
	t.Parallel()
	o := vpnport.Observation{Resource: vpnport.Resource{Kind: vpnport.UDP, Port: 4500},
		Reserved: &vpnport.PortRange{Proto: vpnport.UDP, Start: 4480, End: 4579}}
	f := Diagnose(o, Context{Now: t0})
	for _, w := range []string{"`net stop winnat`", "protocol=udp startport=4500 numberofports=1"} {
		if f.Cause != ReservedRange || !strings.Contains(f.Message, w) {
			t.Errorf("%s: %q lacks %q", f.Cause, f.Message, w)
		}
	}
}

// Actions the machine policy forbids are never offered.
func TestForbiddenActionsNeverOffered(t *testing.T) {
	t.Parallel()
	o := vpnport.Observation{Resource: vpnport.Resource{Kind: vpnport.UDP, Port: 1194},
		Holders: []vpnport.Holder{{PID: 42, Name: "python3"}},
		Sockets: []vpnport.Socket{{Proto: vpnport.UDP, State: vpnport.StateUnconn, Local: netip.MustParseAddrPort("0.0.0.0:1194"), Inode: 3, PIDs: []int{42}}}}
	f := Diagnose(o, Context{Now: t0})
	if !f.Has(EndProcess) {
		t.Fatalf("no end-process to forbid: %v", f.Actions)
	}
	f = Diagnose(o, Context{Now: t0, Forbidden: []Action{EndProcess, UseOtherPort}})
	if f.Has(EndProcess) || f.Has(UseOtherPort) || !f.Has(Retry) || strings.Contains(f.Message, "end it") {
		t.Fatalf("actions %v: %s", f.Actions, f.Message)
	}
}
