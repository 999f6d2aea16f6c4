package vpnport

import (
	"reflect"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport/wintable"
)

func TestWinPortObservation(t *testing.T) {
	var w4, w6 winTableBuilder
	w4.add(tcp4Row(2, "0.0.0.0", 80, "0.0.0.0", 0, wintable.PIDSystem))
	w4.add(tcp4Row(11, "127.0.0.1", 80, "127.0.0.1", 50000, wintable.PIDIdle))
	w4.add(tcp4Row(2, "0.0.0.0", 1194, "0.0.0.0", 0, 700))
	w6.add(tcp6Row("::", 0, 1194, "::", 0, 2, 700))
	w6.add(tcp6Row("::1", 0, 1194, "::1", 51000, 5, 800))
	ports := map[uint16]bool{80: true, 1194: true, 50000: true}
	socks, err := winDecodeTable(wintable.TCP4, w4.bytes(), ports, nil)
	if err != nil {
		t.Fatal(err)
	}
	if socks, err = winDecodeTable(wintable.TCP6, w6.bytes(), ports, socks); err != nil {
		t.Fatal(err)
	}
	ranges := []PortRange{{Proto: TCP, Start: 50000, End: 50059, Administered: true}, {Proto: UDP, Start: 1190, End: 1199}}
	asked := map[int]int{}
	holder := func(pid int) Holder {
		asked[pid]++
		if pid == wintable.PIDSystem {
			return winKernelHolder("")
		}
		return Holder{PID: pid, Name: "svchost.exe", Service: "IKEEXT"}
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

	http := winPortObservation(Resource{Kind: TCP, Port: 80}, socks, ranges, holder, now)
	if len(http.Sockets) != 2 || len(http.Holders) != 1 || !http.Holders[0].Kernel || http.Holders[0].Name != "System" {
		t.Errorf("tcp/80: %+v", http)
	}
	if http.Sockets[1].State != StateTimeWait || len(http.Sockets[1].PIDs) != 0 {
		t.Errorf("TIME_WAIT row %+v: want no owner", http.Sockets[1])
	}

	vpn := winPortObservation(Resource{Kind: TCP, Port: 1194}, socks, ranges, holder, now)
	if len(vpn.Sockets) != 3 || len(vpn.Holders) != 2 || vpn.Holders[0].PID != 700 || vpn.Holders[1].PID != 800 {
		t.Errorf("tcp/1194: %+v", vpn)
	}
	if vpn.Reserved != nil {
		t.Errorf("tcp/1194 reserved by %v (the range is udp)", vpn.Reserved)
	}
	if asked[700] != 1 {
		t.Errorf("holder of PID 700 described %d times, want once", asked[700])
	}

	res := winPortObservation(Resource{Kind: TCP, Port: 50000}, socks, ranges, holder, now)
	if len(res.Sockets) != 0 || res.Reserved == nil || res.Reserved.Start != 50000 || !res.Exists || !res.At.Equal(now) {
		t.Errorf("tcp/50000: %+v", res)
	}
	if udp := winPortObservation(Resource{Kind: UDP, Port: 1194}, socks, ranges, holder, now); udp.Reserved == nil || len(udp.Sockets) != 0 {
		t.Errorf("udp/1194: %+v", udp)
	}
}

func TestWinHolder(t *testing.T) {
	started := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	got := winHolder(wintable.Process{PID: 1300, Name: "svchost.exe", Exe: `C:\Windows\System32\svchost.exe`,
		Started: started, User: `NT AUTHORITY\SYSTEM`, Services: []string{"BFE", "IKEEXT"}})
	want := Holder{PID: 1300, Name: "svchost.exe", Exe: `C:\Windows\System32\svchost.exe`,
		Started: started, User: `NT AUTHORITY\SYSTEM`, Service: "BFE,IKEEXT"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("svchost: got %+v\nwant %+v", got, want)
	}
	// A process refused to OpenProcess keeps its PID and snapshot name.
	if got := winHolder(wintable.Process{PID: 77, Name: "openvpn.exe"}); !reflect.DeepEqual(got, Holder{PID: 77, Name: "openvpn.exe"}) {
		t.Errorf("refused: %+v", got)
	}
}
