package diagnose

import (
	"reflect"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// TestTogether: holders sharing one socket (a server's forked workers, the
// server gone) are one group that end-process ends as a whole; separate
// sockets (SO_REUSEPORT instances) stay separate.
func TestTogether(t *testing.T) {
	w1 := vpnport.Holder{PID: 501, Name: "gunicorn", Exe: "/usr/bin/python3.11", User: "www"}
	w2, w3 := w1, w1
	w2.PID, w3.PID = 502, 503
	t.Run("orphaned workers", func(t *testing.T) {
		o := vpnport.Observation{Resource: tcp8080, Holders: []vpnport.Holder{w1, w2, w3},
			Sockets: []vpnport.Socket{sock(vpnport.StateListen, 7, 501, 502, 503)}}
		f := Diagnose(o, baseCtx())
		if f.Cause != OtherApp || !f.Has(EndProcess) {
			t.Fatalf("finding %s %v, want other-app offering end-process", f.Cause, f.Actions)
		}
		if !reflect.DeepEqual(f.Together, [][]int{{501, 502, 503}}) {
			t.Errorf("together = %v, want one group of three", f.Together)
		}
		if !strings.Contains(f.Message, "held by 3 processes: gunicorn (PID 501") || !strings.Contains(f.Message, "end all 3") {
			t.Errorf("message %q does not count the three and say to end all", f.Message)
		}
		for _, pid := range []int{501, 502, 503} {
			if g := f.EndGroup(pid); len(g) != 3 {
				t.Errorf("EndGroup(%d) = %v, want all three", pid, g)
			}
		}
		if g := f.EndGroup(999); g != nil {
			t.Errorf("EndGroup of a non-holder = %v", g)
		}
	})
	t.Run("separate sockets and a shared one", func(t *testing.T) {
		o := vpnport.Observation{Resource: udp1194, Holders: []vpnport.Holder{ovpnA, ovpnB, w1, w2, hidden},
			Sockets: []vpnport.Socket{sock(vpnport.StateUnconn, 1, 100), sock(vpnport.StateUnconn, 2, 200),
				sock(vpnport.StateUnconn, 3, 501), sock(vpnport.StateUnconn, 4, 501, 502)}}
		f := Diagnose(o, baseCtx())
		if !reflect.DeepEqual(f.Together, [][]int{{501, 502}}) {
			t.Errorf("together = %v, want only the two sharing socket 4", f.Together)
		}
		if g := f.EndGroup(100); len(g) != 1 || g[0].PID != 100 {
			t.Errorf("EndGroup(100) = %v, want openvpn 100 alone", g)
		}
	})
	t.Run("joined through a process holding two sockets", func(t *testing.T) {
		got := together([]vpnport.Socket{sock(vpnport.StateListen, 1, 501, 502), sock(vpnport.StateListen, 2, 503),
			sock(vpnport.StateEstablished, 3, 502, 503)}, []vpnport.Holder{w1, w2, w3})
		if !reflect.DeepEqual(got, [][]int{{501, 502, 503}}) {
			t.Errorf("together = %v, want one group", got)
		}
	})
}
