package vpnport

import "testing"

func TestUnhideKernelSockets(t *testing.T) {
	socks := []Socket{{UID: 0, Inode: 5, OwnerHidden: true}, {UID: 1000, Inode: 6, OwnerHidden: true}, {UID: 0, Inode: 7, PIDs: []int{9}}}
	left := unhideKernelSockets(socks, []uint32{0, 1000})
	if len(left) != 1 || left[0] != 1000 || socks[0].OwnerHidden || !socks[1].OwnerHidden {
		t.Errorf("left %v, sockets %+v", left, socks)
	}
}
