package vpnport

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport/netlink"
	"github.com/traycheck/traycheck/internal/vpnport/sockdiag"
)

// The captured dumps (sockdiag/testdata) as the Sockets a probe reports:
// sockdiag's entries with states named and TIME_WAIT's timer kept.

// goldenInetDiag is the expected reading of a captured dump.
type goldenInetDiag struct {
	Port    uint16   `json:"port"`
	Sockets []Socket `json:"sockets"`
}

func TestDecodeInetDiagFixtures(t *testing.T) {
	if netlink.Endian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("fixtures were captured on a little-endian kernel")
	}
	// What each capture must contain, whatever its port numbers.
	wantStates := map[string][]State{
		"tcp4_listen_estab": {StateListen, StateEstablished},
		"tcp4_timewait":     {StateTimeWait},
		"tcp6_mapped":       {StateListen, StateEstablished},
		"udp6_unconn":       {StateUnconn},
		"udp4_empty":        nil,
	}
	for name, states := range wantStates {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("sockdiag", "testdata", name+".bin"))
			if err != nil {
				t.Fatal(err)
			}
			var golden goldenInetDiag
			j, err := os.ReadFile(filepath.Join("sockdiag", "testdata", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(j, &golden); err != nil {
				t.Fatal(err)
			}
			kind := TCP
			if strings.HasPrefix(name, "udp") {
				kind = UDP
			}
			ents, done, err := sockdiag.Decode(nil, raw, 1)
			if err != nil || !done {
				t.Fatalf("done=%v err=%v", done, err)
			}
			got := appendSockets(nil, ents, kind)
			var gotStates []State
			for i, s := range got {
				gotStates = append(gotStates, s.State)
				if s.Local.Port() != golden.Port || s.Proto != kind {
					t.Errorf("socket %d: %+v, want local port %d", i, s, golden.Port)
				}
				if s.State == StateTimeWait && (s.TimerLeft <= 0 || s.TimerLeft > 60*time.Second || s.Inode != 0) {
					t.Errorf("TIME_WAIT %+v: want 0 < timer <= 60s and no inode", s)
				}
				if strings.HasPrefix(name, "tcp6_mapped") && s.State == StateEstablished && !s.Local.Addr().Is4In6() {
					t.Errorf("mapped socket %v: want ::ffff:a.b.c.d", s.Local)
				}
				got[i].TimerLeft = s.TimerLeft.Truncate(time.Second)
			}
			if !reflect.DeepEqual(gotStates, states) {
				t.Errorf("states = %v, want %v", gotStates, states)
			}
			if len(got) != len(golden.Sockets) || len(got) > 0 && !reflect.DeepEqual(got, golden.Sockets) {
				t.Errorf("decoded\n%+v\nwant\n%+v", got, golden.Sockets)
			}
		})
	}
}
