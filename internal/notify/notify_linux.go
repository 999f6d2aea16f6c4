//go:build linux

package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/godbus/dbus/v5"
)

func init() { newOS = newFreedesktop }

const (
	fdoName  = "org.freedesktop.Notifications"
	fdoPath  = dbus.ObjectPath("/org/freedesktop/Notifications")
	busName  = "org.freedesktop.DBus"
	busPath  = dbus.ObjectPath("/org/freedesktop/DBus")
	closedBy = 2 // NotificationClosed reason: dismissed by the user
)

// freedesktop talks org.freedesktop.Notifications on its own private session
// connection: sharing the process-wide connection with systray breaks the
// tray's re-registration when the panel restarts.
type freedesktop struct {
	conn *dbus.Conn
	log  *slog.Logger
	app  string
	desk string // desktop-entry hint
	icon string // app_icon and image-path
	sigs chan *dbus.Signal
	out  chan Response
	done chan struct{}
	once sync.Once
	wg   sync.WaitGroup

	mu          sync.Mutex
	owner       string // unique name currently owning fdoName; "" unknown
	caps        map[string]bool
	saidNoActns bool
	byTag       map[string]uint32
	notes       map[uint32]shown
}

// shown is what we remember of a note on screen, to vet the daemon's answers.
type shown struct {
	tag, token string
	keys       []string
}

func newFreedesktop(ctx context.Context, o Options) (Notifier, error) {
	// NoAutoStartup: without a session bus there is no desktop to notify, and
	// auto-launching a private bus would hide that.
	conn, err := dbus.SessionBusPrivateNoAutoStartup(dbus.WithContext(context.WithoutCancel(ctx)))
	if err != nil {
		return nil, fmt.Errorf("%w: session bus: %w", ErrUnavailable, err)
	}
	fail := func(what string, err error) (Notifier, error) {
		conn.Close()
		return nil, fmt.Errorf("%w: %s: %w", ErrUnavailable, what, err)
	}
	if err := conn.Auth(nil); err != nil {
		return fail("session bus auth", err)
	}
	if err := conn.Hello(); err != nil {
		return fail("session bus hello", err)
	}
	if ok, err := nameAvailable(ctx, conn, fdoName); err != nil {
		return fail("looking for "+fdoName, err)
	} else if !ok {
		return fail("no notification daemon", errors.New(fdoName+" is neither running nor activatable"))
	}
	n := &freedesktop{
		conn:  conn,
		log:   o.logger(),
		app:   o.appName(),
		desk:  o.desktopEntry(),
		icon:  o.icon(),
		sigs:  make(chan *dbus.Signal, 32),
		out:   make(chan Response, 16),
		done:  make(chan struct{}),
		byTag: map[string]uint32{},
		notes: map[uint32]shown{},
	}
	conn.Signal(n.sigs)
	rules := [][]dbus.MatchOption{
		{dbus.WithMatchSender(busName), dbus.WithMatchInterface(busName),
			dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, fdoName)},
		// The bus only routes broadcasts from the name's owner to us; unicast
		// signals bypass match rules, so handle() checks the sender again.
		{dbus.WithMatchSender(fdoName), dbus.WithMatchObjectPath(fdoPath), dbus.WithMatchInterface(fdoName)},
	}
	for _, r := range rules {
		if err := conn.AddMatchSignalContext(ctx, r...); err != nil {
			return fail("adding match rule", err)
		}
	}
	n.refreshOwner(ctx)
	n.wg.Add(1)
	go n.loop()
	return n, nil
}

// nameAvailable reports whether name has an owner or can be bus-activated.
func nameAvailable(ctx context.Context, conn *dbus.Conn, name string) (bool, error) {
	var has bool
	if err := conn.BusObject().CallWithContext(ctx, busName+".NameHasOwner", 0, name).Store(&has); err != nil {
		return false, err
	}
	if has {
		return true, nil
	}
	var names []string
	if err := conn.BusObject().CallWithContext(ctx, busName+".ListActivatableNames", 0).Store(&names); err != nil {
		return false, err
	}
	for _, x := range names {
		if x == name {
			return true, nil
		}
	}
	return false, nil
}

func (n *freedesktop) refreshOwner(ctx context.Context) {
	var owner string
	err := n.conn.BusObject().CallWithContext(ctx, busName+".GetNameOwner", 0, fdoName).Store(&owner)
	if err != nil {
		owner = "" // not running yet: activated by the first Notify
	}
	n.mu.Lock()
	n.owner = owner
	n.mu.Unlock()
}

// capabilities asks the daemon once; the call also bus-activates it.
func (n *freedesktop) capabilities(ctx context.Context) map[string]bool {
	if n.caps != nil {
		return n.caps
	}
	var list []string
	obj := n.conn.Object(fdoName, fdoPath)
	if err := obj.CallWithContext(ctx, fdoName+".GetCapabilities", 0).Store(&list); err != nil {
		n.log.Warn("notification daemon capabilities unknown", "err", err)
		return map[string]bool{"actions": true} // try; the worst case is a note without buttons
	}
	n.caps = map[string]bool{}
	for _, c := range list {
		n.caps[c] = true
	}
	return n.caps
}

// Show implements Notifier.
func (n *freedesktop) Show(ctx context.Context, note Note) error {
	select {
	case <-n.done:
		return fmt.Errorf("show %q: %w", note.Tag, errClosed)
	default:
	}
	// Holding mu across the call means a signal for the new id, which can
	// only follow the reply, is vetted after the id is registered.
	n.mu.Lock()
	defer n.mu.Unlock()
	caps := n.capabilities(ctx)
	var actions []string
	if caps["actions"] {
		for _, b := range note.Buttons {
			actions = append(actions, b.Key, b.Label)
		}
	} else if len(note.Buttons) > 0 && !n.saidNoActns {
		n.saidNoActns = true
		n.log.Warn("the notification daemon shows no action buttons; use the tray menu for actions")
	}
	body := note.Body
	if caps["body-markup"] {
		body = escapeMarkup(body)
	}
	hints := n.hints(note, caps)
	replaces := n.byTag[note.Tag]
	var id uint32
	// The timeout is always the server's default (-1): the desktop, not
	// traycheck, decides how long a note stays, and Do Not Disturb holds.
	err := n.conn.Object(fdoName, fdoPath).CallWithContext(ctx, fdoName+".Notify", 0,
		n.app, replaces, n.icon, note.Title, body, actions, hints, int32(-1)).Store(&id)
	if err != nil {
		return fmt.Errorf("show %q: %w", note.Tag, err)
	}
	if replaces != 0 && replaces != id {
		delete(n.notes, replaces)
	}
	keys := make([]string, len(note.Buttons))
	for i, b := range note.Buttons {
		keys[i] = b.Key
	}
	n.notes[id] = shown{tag: note.Tag, token: note.Token, keys: keys}
	n.byTag[note.Tag] = id
	if n.owner == "" {
		n.mu.Unlock()
		n.refreshOwner(ctx)
		n.mu.Lock()
	}
	return nil
}

// hints are the spec's hints for note: who sent it (desktop-entry, the
// icon), what it is about (category) and how pressing it is (urgency:
// critical only when the VPN is failing now).
func (n *freedesktop) hints(note Note, caps map[string]bool) map[string]dbus.Variant {
	urgency := byte(1)
	if note.Critical {
		urgency = 2
	}
	h := map[string]dbus.Variant{
		"urgency":       dbus.MakeVariant(urgency),
		"desktop-entry": dbus.MakeVariant(n.desk),
	}
	if n.icon != "" {
		h["image-path"] = dbus.MakeVariant(n.icon)
	}
	if c := note.Kind.Category(); c != "" {
		h["category"] = dbus.MakeVariant(c)
	}
	// A conflict's buttons must stay reachable after a click elsewhere;
	// only servers that keep notes at all honour "resident".
	if note.Urgent && caps["persistence"] {
		h["resident"] = dbus.MakeVariant(true)
	}
	return h
}

// alive reports whether the connection to the session bus is still up.
func (n *freedesktop) alive() bool { return n.conn.Connected() }

// SupportsActions reports whether the daemon draws action buttons.
func (n *freedesktop) SupportsActions(ctx context.Context) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.capabilities(ctx)["actions"]
}

// Responses implements Notifier.
func (n *freedesktop) Responses() <-chan Response { return n.out }

// Close implements Notifier.
func (n *freedesktop) Close() error {
	var err error
	n.once.Do(func() {
		close(n.done)
		err = n.conn.Close()
		n.wg.Wait()
		close(n.out)
	})
	return err
}

func (n *freedesktop) loop() {
	defer n.wg.Done()
	for {
		select {
		case <-n.done:
			return
		case sig, ok := <-n.sigs:
			if !ok {
				return
			}
			if r, ok := n.handle(sig); ok {
				select {
				case n.out <- r:
				case <-n.done:
					return
				}
			}
		}
	}
}

// handle vets one signal and returns the response it stands for, if any.
// Anything not from the current daemon, not about a note of ours, or not
// shaped as the spec says is dropped: some daemons broadcast to every client,
// and any local program can send a signal.
func (n *freedesktop) handle(sig *dbus.Signal) (Response, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch sig.Name {
	case busName + ".NameOwnerChanged":
		if sig.Sender != busName || len(sig.Body) != 3 {
			return Response{}, false
		}
		name, _ := sig.Body[0].(string)
		owner, ok := sig.Body[2].(string)
		if name != fdoName || !ok {
			return Response{}, false
		}
		if n.owner != "" && owner != n.owner {
			// A new daemon does not know our ids: forget them, and its
			// capabilities may differ.
			clear(n.notes)
			clear(n.byTag)
			n.caps = nil
		}
		n.owner = owner
		return Response{}, false
	case fdoName + ".ActionInvoked", fdoName + ".NotificationClosed":
	default:
		return Response{}, false
	}
	if n.owner == "" || sig.Sender != n.owner || sig.Path != fdoPath || len(sig.Body) != 2 {
		n.log.Debug("dropped notification signal", "sender", sig.Sender, "owner", n.owner, "name", sig.Name)
		return Response{}, false
	}
	id, ok := sig.Body[0].(uint32)
	if !ok {
		return Response{}, false
	}
	s, ours := n.notes[id]
	if !ours {
		return Response{}, false
	}
	if sig.Name == fdoName+".ActionInvoked" {
		key, ok := sig.Body[1].(string)
		if !ok || !contains(s.keys, key) {
			return Response{}, false
		}
		// One answer per note. Daemons close a note once it is answered, so
		// the next note for the tag must not replace this id: its close
		// signal could arrive after the replacement and take the new note
		// with it.
		delete(n.notes, id)
		if n.byTag[s.tag] == id {
			delete(n.byTag, s.tag)
		}
		return Response{Tag: s.tag, Action: key, Token: s.token}, true
	}
	reason, ok := sig.Body[1].(uint32)
	if !ok {
		return Response{}, false
	}
	delete(n.notes, id)
	if n.byTag[s.tag] == id {
		delete(n.byTag, s.tag)
	}
	if reason != closedBy {
		return Response{}, false // expired or withdrawn: nobody answered
	}
	return Response{Tag: s.tag, Token: s.token, Dismissed: true}, true
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// escapeMarkup keeps a body with a process name such as "<b>" or "a&b" from
// being read as markup by daemons that support it.
var markupEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escapeMarkup(s string) string { return markupEscaper.Replace(s) }
