package notify

import (
	"context"
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/traycheck/traycheck/internal/notify/dbustest"
)

// closingDaemon is fakeDaemon recording CloseNotification calls.
type closingDaemon struct {
	*fakeDaemon
	cmu    sync.Mutex
	closed []uint32
}

func (d *closingDaemon) CloseNotification(id uint32) *dbus.Error {
	d.cmu.Lock()
	d.closed = append(d.closed, id)
	d.cmu.Unlock()
	return nil
}

// A note shown twice under one tag is updated in place (replaces_id), and
// Withdraw closes exactly that id, once; a withdrawn tag starts afresh.
func TestWithdrawClosesTheTagsNote(t *testing.T) {
	bus := dbustest.Start(t, "")
	fd := &fakeDaemon{conn: bus.Conn(t), caps: []string{"actions"}}
	d := &closingDaemon{fakeDaemon: fd}
	if err := fd.conn.Export(d, fdoPath, fdoName); err != nil {
		t.Fatal(err)
	}
	if r, err := fd.conn.RequestName(fdoName, dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning %s: %v %v", fdoName, r, err)
	}
	n := newTestNotifier(t)
	ctx := context.Background()
	if err := n.Show(ctx, holdNote); err != nil {
		t.Fatal(err)
	}
	if err := n.Show(ctx, holdNote); err != nil {
		t.Fatal(err)
	}
	if c := fd.last(t); c.replaces != 1 {
		t.Fatalf("second show replaces %d, want 1 (update in place)", c.replaces)
	}
	var w Withdrawer = n
	if err := w.Withdraw(ctx, holdNote.Tag); err != nil {
		t.Fatal(err)
	}
	if err := w.Withdraw(ctx, holdNote.Tag); err != nil {
		t.Fatal(err)
	}
	d.cmu.Lock()
	closed := append([]uint32(nil), d.closed...)
	d.cmu.Unlock()
	if len(closed) != 1 || closed[0] != 1 {
		t.Fatalf("closed %v, want [1]", closed)
	}
	if err := n.Show(ctx, holdNote); err != nil {
		t.Fatal(err)
	}
	if c := fd.last(t); c.replaces != 0 {
		t.Fatalf("after withdraw a new note replaces %d, want 0", c.replaces)
	}
}
