package vpnport

import (
	"reflect"
	"testing"
)

func TestMarkHiddenOwners(t *testing.T) {
	const me = 1000
	socks := []Socket{
		{Inode: 1, UID: 0, PIDs: []int{7}}, // found: nothing to decide
		{Inode: 2, UID: 0},                 // root's, unfound: hidden
		{Inode: 3, UID: 116},               // another user's: hidden
		{Inode: 4, UID: 0},                 // root again: one holder per user
		{Inode: 5, UID: me},                // ours, unfound: the kernel's
		{Inode: 0, UID: 0, State: StateTimeWait},
	}
	got := markHiddenOwners(socks, true, me)
	if !reflect.DeepEqual(got, []uint32{0, 116}) {
		t.Errorf("hidden uids = %v, want [0 116]", got)
	}
	for i, want := range []bool{false, true, true, true, false, false} {
		if socks[i].OwnerHidden != want {
			t.Errorf("socket %d (%+v): hidden = %v, want %v", i, socks[i], socks[i].OwnerHidden, want)
		}
	}

	// Every process was readable: an unfound socket is kernel-owned.
	socks = []Socket{{Inode: 2, UID: 0}}
	if got := markHiddenOwners(socks, false, me); got != nil || socks[0].OwnerHidden {
		t.Errorf("all readable: uids %v, socket %+v; want kernel-owned", got, socks[0])
	}
}
