package vpnport

import "testing"

func TestCommMatches(t *testing.T) {
	names := []string{"openvpn", "nm-openvpn-service"}
	for comm, want := range map[string]bool{"openvpn": true, "OpenVPN": true, "nm-openvpn-serv": true, "nm-openvpn": false, "openvpn2": false} {
		if got := commMatches(comm, names); got != want {
			t.Errorf("%q: %v, want %v", comm, got, want)
		}
	}
	if !candidateOf(65534, []uint32{0}) || candidateOf(1000, []uint32{1001}) || !candidateOf(1001, []uint32{1001}) {
		t.Error("candidateOf: a root socket may be any user's; another user's only its own")
	}
}

// The walk finds a client running as another user (here: this test's own
// binary, searched as if its name were a client's), and never one whose fds
// it can read: running as root, it reads every fd, so it finds none.

func TestProcNetHasInode(t *testing.T) {
	b := []byte(`   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 6933: 0100007F:04AA 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1088786 2 0000000029c329f3 0
 7001: 00000000:01F4 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 99 2 0000000029c329f3 0
`)
	if !procNetHasInode(b, []uint64{5, 1088786}) || procNetHasInode(b, []uint64{108878}) || procNetHasInode(b, nil) {
		t.Error("inode lookup in a /proc/net table")
	}
}
