//go:build linux

package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"
)

// menuNode is one entry of a dbusmenu layout.
type menuNode struct {
	ID       int32
	Label    string
	Enabled  bool
	Toggled  bool // a checkbox that is ticked
	Children []menuNode
}

func (n menuNode) find(label string) (menuNode, bool) {
	if n.Label == label {
		return n, true
	}
	for _, c := range n.Children {
		if f, ok := c.find(label); ok {
			return f, true
		}
	}
	return menuNode{}, false
}

func (n menuNode) labels() []string {
	var out []string
	for _, c := range n.Children {
		if c.Label != "" {
			out = append(out, c.Label)
		}
	}
	return out
}

func toNode(id int32, props map[string]dbus.Variant, children []dbus.Variant) menuNode {
	n := menuNode{ID: id, Enabled: true}
	if v, ok := props["label"]; ok {
		n.Label, _ = v.Value().(string)
	}
	if v, ok := props["enabled"]; ok {
		n.Enabled, _ = v.Value().(bool)
	}
	if v, ok := props["toggle-state"]; ok {
		st, _ := v.Value().(int32)
		n.Toggled = st == 1
	}
	for _, c := range children {
		s, ok := c.Value().([]any)
		if !ok || len(s) != 3 {
			continue
		}
		cid, _ := s[0].(int32)
		cp, _ := s[1].(map[string]dbus.Variant)
		cc, _ := s[2].([]dbus.Variant)
		n.Children = append(n.Children, toNode(cid, cp, cc))
	}
	return n
}

// layout reads the item's whole menu with com.canonical.dbusmenu.GetLayout,
// at the path the item's Menu property names.
func layout(c *dbus.Conn, item string) (menuNode, error) {
	v, err := c.Object(item, "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem.Menu")
	if err != nil {
		return menuNode{}, fmt.Errorf("menu path: %w", err)
	}
	path, _ := v.Value().(dbus.ObjectPath)
	var rev uint32
	var root struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	err = c.Object(item, path).Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &root)
	if err != nil {
		return menuNode{}, fmt.Errorf("GetLayout: %w", err)
	}
	return toNode(root.ID, root.Props, root.Children), nil
}

// waitMenu polls the layout until cond accepts it.
func waitMenu(ctx context.Context, t *testing.T, c *dbus.Conn, item, what string, cond func(menuNode) bool) menuNode {
	t.Helper()
	var m menuNode
	poll(ctx, t, what, func() bool {
		var err error
		m, err = layout(c, item)
		return err == nil && cond(m)
	})
	return m
}

// click fires a menu entry the way the panel does when the user clicks it.
func click(t *testing.T, c *dbus.Conn, item string, id int32) {
	t.Helper()
	err := c.Object(item, "/StatusNotifierItem/menu").Call("com.canonical.dbusmenu.Event", 0,
		id, "clicked", dbus.MakeVariant(int32(0)), uint32(0)).Err
	if err != nil {
		t.Fatalf("dbusmenu Event %d: %v", id, err)
	}
}

// iconPixmap reads the item's IconPixmap: ARGB32, network byte order.
func iconPixmap(c *dbus.Conn, item string) (w, h int, argb []byte, err error) {
	v, err := c.Object(item, "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem.IconPixmap")
	if err != nil {
		return 0, 0, nil, err
	}
	var px []struct {
		W, H int32
		Data []byte
	}
	if err := dbus.Store([]any{v.Value()}, &px); err != nil || len(px) == 0 {
		return 0, 0, nil, fmt.Errorf("IconPixmap %v: %v", v.Signature(), err)
	}
	return int(px[0].W), int(px[0].H), px[0].Data, nil
}

// note is a Notify call seen on the bus, with the id the daemon gave it.
type note struct {
	serial  uint32
	sender  string
	Summary string
	Body    string
	Actions []string
	AppIcon string
	Hints   map[string]dbus.Variant
	Timeout int32
	ID      uint32
}

// checkHints fails t unless the note carries the spec's hints traycheck
// promises (issue 25): its desktop entry and icon, the category and the
// urgency for its kind (1, normal: never critical here), the server's
// default timeout.
func (n note) checkHints(t *testing.T, category string) {
	t.Helper()
	want := map[string]any{"desktop-entry": "traycheck", "category": category, "urgency": byte(1), "image-path": "traycheck"}
	for k, v := range want {
		if got := n.Hints[k].Value(); got != v {
			t.Errorf("note %q: hint %s = %v, want %v", n.Summary, k, n.Hints[k], v)
		}
	}
	if n.AppIcon != "traycheck" || n.Timeout != -1 {
		t.Errorf("note %q: app_icon %q, timeout %d; want traycheck, -1", n.Summary, n.AppIcon, n.Timeout)
	}
}

// busWatch records Notify calls and their replies, and the daemon's
// ActionInvoked signals, as a bus monitor (BecomeMonitor): what really went
// over the wire between traycheck and the daemon.
type busWatch struct {
	mu      sync.Mutex
	notes   []*note
	actions []string // "id:key"
}

func watchBus(t *testing.T) *busWatch {
	t.Helper()
	return watchBusOn(t, sessionConn(t))
}

// watchBusOn is watchBus on the bus c is connected to; c becomes a monitor.
func watchBusOn(t *testing.T, c *dbus.Conn) *busWatch {
	t.Helper()
	rules := []string{
		"type='method_call',interface='org.freedesktop.Notifications',member='Notify'",
		"type='method_return'",
		"type='signal',interface='org.freedesktop.Notifications'",
	}
	if err := c.BusObject().Call("org.freedesktop.DBus.Monitoring.BecomeMonitor", 0, rules, uint32(0)).Err; err != nil {
		t.Fatalf("BecomeMonitor: %v", err)
	}
	ch := make(chan *dbus.Message, 4096)
	c.Eavesdrop(ch)
	w := &busWatch{}
	go func() {
		for m := range ch {
			w.record(m)
		}
	}()
	// Stop the eavesdropping before closing: godbus's Close closes ch while
	// its reader may still send to it ("send on closed channel"). ch stays
	// open; its goroutine ends with the test binary.
	t.Cleanup(func() { c.Eavesdrop(nil); c.Close() })
	return w
}

func (w *busWatch) record(m *dbus.Message) {
	w.mu.Lock()
	defer w.mu.Unlock()
	sender, _ := m.Headers[dbus.FieldSender].Value().(string)
	switch m.Type {
	case dbus.TypeMethodCall:
		if len(m.Body) != 8 {
			return
		}
		n := &note{serial: m.Serial(), sender: sender}
		n.Summary, _ = m.Body[3].(string)
		n.Body, _ = m.Body[4].(string)
		n.Actions, _ = m.Body[5].([]string)
		n.AppIcon, _ = m.Body[2].(string)
		n.Hints, _ = m.Body[6].(map[string]dbus.Variant)
		n.Timeout, _ = m.Body[7].(int32)
		w.notes = append(w.notes, n)
	case dbus.TypeMethodReply:
		rs, _ := m.Headers[dbus.FieldReplySerial].Value().(uint32)
		dest, _ := m.Headers[dbus.FieldDestination].Value().(string)
		for _, n := range w.notes {
			if n.serial == rs && n.sender == dest && len(m.Body) == 1 {
				n.ID, _ = m.Body[0].(uint32)
			}
		}
	case dbus.TypeSignal:
		member, _ := m.Headers[dbus.FieldMember].Value().(string)
		if member == "ActionInvoked" && len(m.Body) == 2 {
			w.actions = append(w.actions, fmt.Sprintf("%v:%v", m.Body[0], m.Body[1]))
		}
	}
}

// waitNote waits for a shown note (id assigned) whose summary contains s.
func (w *busWatch) waitNote(ctx context.Context, t *testing.T, s string) note {
	t.Helper()
	var got note
	poll(ctx, t, fmt.Sprintf("a notification %q", s), func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, n := range w.notes {
			if strings.Contains(n.Summary, s) && n.ID != 0 {
				got = *n
				return true
			}
		}
		return false
	})
	return got
}

func (w *busWatch) sawAction(id uint32, key string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, a := range w.actions {
		if a == fmt.Sprintf("%d:%s", id, key) {
			return true
		}
	}
	return false
}

func (w *busWatch) ids() []uint32 {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []uint32
	for _, n := range w.notes {
		if n.ID != 0 {
			out = append(out, n.ID)
		}
	}
	return out
}
