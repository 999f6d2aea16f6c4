package vpnport

import (
	"bytes"
	"net/netip"
	"os"
	"reflect"
	"strings"
	"testing"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseLsofPort(t *testing.T) {
	procs, err := parseLsof(bytes.NewReader(readFixture(t, "lsof/macos14_port1194.txt")))
	if err != nil {
		t.Fatal(err)
	}
	if len(procs) != 3 || procs[1].Cmd != "ssh" || procs[1].Login != "alice" || procs[1].UID != 501 ||
		procs[1].PPID != 700 || len(procs[1].Files) != 3 || procs[2].Cmd != "Google Chrome H" {
		t.Fatalf("procs = %+v", procs)
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
	procs, err := parseLsof(bytes.NewReader(readFixture(t, "lsof/macos14_cu.txt")))
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

func TestParseLsofRejects(t *testing.T) {
	for _, in := range []string{"f3\n", "pabc\n", "p1\nuroot\n"} {
		if _, err := parseLsof(strings.NewReader(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestParseNetstatTimeWait(t *testing.T) {
	got, err := parseNetstatTimeWait(bytes.NewReader(readFixture(t, "lsof/macos14_netstat.txt")), map[uint16]bool{1194: true, 22: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
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

func FuzzParseLsof(f *testing.F) {
	f.Add(readFixture(f, "lsof/macos14_port1194.txt"))
	f.Add(readFixture(f, "lsof/macos14_netstat.txt"))
	f.Fuzz(func(t *testing.T, in []byte) {
		if procs, err := parseLsof(bytes.NewReader(in)); err == nil {
			if len(procs) > lsofMax {
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
		if socks, err := parseNetstatTimeWait(bytes.NewReader(in), map[uint16]bool{1194: true}, nil); err == nil {
			for _, s := range socks {
				if s.State != StateTimeWait || s.Local.Port() != 1194 {
					t.Fatalf("%+v", s)
				}
			}
		}
	})
}

func BenchmarkParseLsof(b *testing.B) {
	in := readFixture(b, "lsof/macos14_port1194.txt")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseLsof(bytes.NewReader(in)); err != nil {
			b.Fatal(err)
		}
	}
}
