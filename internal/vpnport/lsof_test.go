package vpnport

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/vpnport/lsof"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	// The recorded output lives with its parser, in package lsof.
	b, err := os.ReadFile(filepath.Join("lsof", "testdata", strings.TrimPrefix(name, "lsof/")))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseLsofPort(t *testing.T) {
	procs, err := lsof.Parse(bytes.NewReader(readFixture(t, "lsof/macos14_port1194.txt")))
	if err != nil {
		t.Fatal(err)
	}

	tcp := Observation{Resource: Resource{Kind: TCP, Port: 1194}}
	lsofFill(&tcp, procs)
	wantSocks := []Socket{
		{Proto: TCP, State: StateListen, Local: netip.MustParseAddrPort("127.0.0.1:1194"), UID: 501, PIDs: []int{733}},
		{Proto: TCP, State: StateListen, Local: netip.MustParseAddrPort("[::1]:1194"), UID: 501, PIDs: []int{733}},
	}
	if !reflect.DeepEqual(tcp.Sockets, wantSocks) {
		t.Errorf("tcp sockets\n got %+v\nwant %+v", tcp.Sockets, wantSocks)
	}
	// The outgoing connection to a remote port 1194 (fd 9) is not a holder
	// of the local port.
	if len(tcp.Holders) != 1 || !reflect.DeepEqual(tcp.Holders[0], Holder{PID: 733, Name: "ssh", User: "alice", UID: 501}) {
		t.Errorf("tcp holders %+v", tcp.Holders)
	}

	udp := Observation{Resource: Resource{Kind: UDP, Port: 1194}}
	lsofFill(&udp, procs)
	if len(udp.Holders) != 2 || udp.Holders[0].Name != "openvpn" || udp.Holders[1].PID != 901 {
		t.Fatalf("udp holders %+v", udp.Holders)
	}
	if got := udp.Sockets[0].Local; got != netip.MustParseAddrPort("0.0.0.0:1194") {
		t.Errorf("wildcard IPv4 = %v", got)
	}
	if got := udp.Sockets[1].Local; got != netip.MustParseAddrPort("[fe80::1%lo0]:1194") {
		t.Errorf("zoned IPv6 = %v", got)
	}
}

func TestParseLsofDevice(t *testing.T) {
	procs, err := lsof.Parse(bytes.NewReader(readFixture(t, "lsof/macos14_cu.txt")))
	if err != nil {
		t.Fatal(err)
	}
	o := Observation{Resource: Resource{Kind: Device, Path: "/dev/cu.usbserial-1410"}}
	lsofFill(&o, procs)
	if len(o.Holders) != 1 || o.Holders[0].Name != "screen" || o.Holders[0].PID != 4242 || len(o.Sockets) != 0 {
		t.Fatalf("%+v", o)
	}
	other := Observation{Resource: Resource{Kind: Device, Path: "/dev/cu.Bluetooth-Incoming-Port"}}
	lsofFill(&other, procs)
	if len(other.Holders) != 0 {
		t.Fatalf("holder of another device: %+v", other.Holders)
	}
}

func TestNetstatTimeWaitSockets(t *testing.T) {
	tw, err := lsof.ParseNetstatTimeWait(bytes.NewReader(readFixture(t, "lsof/macos14_netstat.txt")), map[uint16]bool{1194: true, 22: true})
	if err != nil {
		t.Fatal(err)
	}
	got := timeWaitSockets(tw)
	want := []Socket{
		{Proto: TCP, State: StateTimeWait, Local: netip.MustParseAddrPort("127.0.0.1:1194"),
			Remote: netip.MustParseAddrPort("127.0.0.1:52344"), TimerLeft: MacTimeWaitMax},
		{Proto: TCP, State: StateTimeWait, Local: netip.MustParseAddrPort("[fe80::1%lo0]:1194"),
			Remote: netip.MustParseAddrPort("[fe80::1%lo0]:60001"), TimerLeft: MacTimeWaitMax},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func FuzzLsofFill(f *testing.F) {
	f.Add(readFixture(f, "lsof/macos14_port1194.txt"))
	f.Add(readFixture(f, "lsof/macos14_netstat.txt"))
	f.Fuzz(func(t *testing.T, in []byte) {
		if procs, err := lsof.Parse(bytes.NewReader(in)); err == nil {
			if len(procs) > lsof.Max {
				t.Fatalf("%d procs", len(procs))
			}
			o := Observation{Resource: Resource{Kind: TCP, Port: 1194}}
			lsofFill(&o, procs)
			for _, s := range o.Sockets {
				if s.Local.Port() != 1194 {
					t.Fatalf("socket on port %d", s.Local.Port())
				}
			}
		}
		if tw, err := lsof.ParseNetstatTimeWait(bytes.NewReader(in), map[uint16]bool{1194: true}); err == nil {
			for _, s := range timeWaitSockets(tw) {
				if s.State != StateTimeWait || s.Local.Port() != 1194 {
					t.Fatalf("%+v", s)
				}
			}
		}
	})
}
