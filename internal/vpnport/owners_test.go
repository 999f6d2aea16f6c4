package vpnport

import (
	"reflect"
	"testing"
)

func TestMarkHiddenOwners(t *testing.T) {
	const me = 1000
	fresh := func() []Socket {
		return []Socket{
			{Inode: 1, UID: 0, PIDs: []int{7}}, // found: nothing to decide
			{Inode: 2, UID: 0},                 // root's, unfound
			{Inode: 3, UID: 116},               // another user's, unfound
			{Inode: 4, UID: 0},                 // root again: one holder per user
			{Inode: 5, UID: me},                // ours, unfound
			{Inode: 0, UID: 0, State: StateTimeWait},
		}
	}
	tests := []struct {
		name   string
		view   procView
		euid   uint32
		uids   []uint32
		hidden []bool
	}{
		{"unprivileged: other users' unfound sockets are hidden, ours the kernel's",
			procView{unreadable: true}, me, []uint32{0, 116}, []bool{false, true, true, true, false, false}},
		{"unprivileged under hidepid=2: nothing unreadable, still hidden",
			procView{}, me, []uint32{0, 116}, []bool{false, true, true, true, false, false}},
		{"root seeing and reading everything: unfound means kernel-owned",
			procView{}, 0, nil, []bool{false, false, false, false, false, false}},
		{"root in a user namespace with unreadable processes: others' are hidden",
			procView{unreadable: true}, 0, []uint32{116, me}, []bool{false, false, true, false, true, false}},
		{"a nested PID namespace (container) never concludes kernel",
			procView{limited: true}, 0, []uint32{0, 116, me}, []bool{false, true, true, true, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			socks := fresh()
			got := markHiddenOwners(socks, tt.view, tt.euid)
			if !reflect.DeepEqual(got, tt.uids) {
				t.Errorf("hidden uids = %v, want %v", got, tt.uids)
			}
			for i, want := range tt.hidden {
				if socks[i].OwnerHidden != want {
					t.Errorf("socket %d (%+v): hidden = %v, want %v", i, socks[i], socks[i].OwnerHidden, want)
				}
			}
		})
	}
}
