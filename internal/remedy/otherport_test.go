package remedy

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// TestUseOtherPortNamesAFreePortAndTheSSHCommand holds a real port, as an old
// ssh -L would, and checks the action's answer: a different port that really
// binds, and the holder's ssh command rewritten to use it.
func TestUseOtherPortNamesAFreePortAndTheSSHCommand(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := uint16(l.Addr().(*net.TCPAddr).Port)
	p := strconv.Itoa(int(port))
	f := diagnose.Finding{
		Resource: vpnport.Resource{Kind: vpnport.TCP, Port: port},
		Cause:    diagnose.SameAppInstance,
		Holders:  []vpnport.Holder{{PID: 4242, Name: "ssh", Cmdline: []string{"ssh", "-N", "-L", p + ":db:5432", "jump"}}},
		Actions:  []diagnose.Action{diagnose.Retry, diagnose.EndProcess, diagnose.UseOtherPort},
	}
	res, err := New(Options{}).Do(context.Background(), Request{Action: diagnose.UseOtherPort, Finding: f})
	if err != nil {
		t.Fatal(err)
	}
	s, err := SuggestPort(context.Background(), f, "127.0.0.1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Port == port || s.Port == 0 {
		t.Fatalf("suggested %d for taken %d", s.Port, port)
	}
	free, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(int(s.Port)))
	if err != nil {
		t.Fatalf("suggested port %d does not bind: %v", s.Port, err)
	}
	free.Close()
	wantCmd := "ssh -N -L " + strconv.Itoa(int(s.Port)) + ":db:5432 jump"
	if s.Command != wantCmd {
		t.Errorf("command = %q, want %q", s.Command, wantCmd)
	}
	if !strings.Contains(res.Message, " is free now: use it instead of tcp/"+p) || !strings.Contains(res.Message, "ssh -N -L ") {
		t.Errorf("message = %q", res.Message)
	}
}

func TestUseOtherPortRefusesDevices(t *testing.T) {
	f := diagnose.Finding{Resource: vpnport.Resource{Kind: vpnport.Device, Path: "/dev/ttyUSB0"}}
	if _, err := SuggestPort(context.Background(), f, "", nil); !errors.Is(err, ErrRefused) {
		t.Errorf("err = %v, want ErrRefused", err)
	}
}
