//go:build !darwin || cgo

package tray

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"time"

	"fyne.io/systray"

	"github.com/traycheck/traycheck/icons"
)

// Run shows the tray icon until ctx ends or the user clicks Quit. It blocks
// and must be called from the main goroutine (macOS and Windows run their UI
// loop there). hostRunning comes from Preflight: when false, the user is told
// once how to get a tray host, and the icon registers when one appears.
//
// When the session bus goes away under it, Run stops drawing at once (a
// systray call on the closed connection panics), logs why, ends the tray and
// returns an error wrapping ErrBusLost.
func Run(ctx context.Context, c *Controller, hostRunning bool) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lostCh := make(chan error, 1)
	lost := func(err error) {
		select {
		case lostCh <- err:
		default:
		}
		cancel()
	}
	c.o.Quit = systray.Quit
	go func() {
		<-ctx.Done()
		systray.Quit()
	}()
	systray.Run(func() {
		// onReady must return before the menu is served: all work in goroutines.
		go watchBus(ctx, lost)
		go c.Run(ctx)
		go draw(ctx, c, lost)
		c.RefreshAutostart()
		if !hostRunning {
			desktop := os.Getenv("XDG_CURRENT_DESKTOP")
			c.log.Warn("no tray host (StatusNotifierWatcher) is running; the icon appears when one starts",
				"fix", NoHostAdvice(desktop))
			go c.show(ctx, noHostNote(desktop))
		}
	}, cancel)
	select {
	case err := <-lostCh:
		c.log.Warn("the session bus went away under the tray; the icon is gone with it", "err", err)
		return fmt.Errorf("%w: %w", ErrBusLost, err)
	default:
		return nil
	}
}

// guard runs one systray call, turning its panic (godbus's SetMust on a
// closed connection) into an error.
func guard(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("systray: %v", r)
		}
	}()
	f()
	return nil
}

// draw keeps the icon, tooltip and menu equal to the controller's view. The
// menu is rebuilt only when it changed, and each rebuild gets a fresh context
// that ends the click receivers of the previous one.
func draw(ctx context.Context, c *Controller, lost func(error)) {
	var (
		lastIcon    = icons.State(-1)
		lastMenu    []Item
		cancelItems = func() {}
		stamp       *systray.MenuItem // "Last checked ..."
	)
	defer func() { cancelItems() }()
	// systray calls onReady before it exports the item's properties, and a
	// SetIcon (or SetTooltip, SetTitle) that lands in between is lost (the e2e tests caught a tray
	// stuck on "checking"). So they are set again on every
	// pass, not only when they change: a pass follows every check, and one
	// extra pass shortly after start heals a lost first update at once.
	time.AfterFunc(2*time.Second, func() { signal(c.changed) })
	for {
		if ctx.Err() != nil {
			return // the bus may be gone: no systray call after the end
		}
		v := c.View()
		st := Icon(v)
		b, _ := icons.For(st)
		err := guard(func() {
			systray.SetIcon(b)
			systray.SetTooltip(Tooltip(v))
			systray.SetTitle("traycheck")
		})
		if err != nil {
			lost(err)
			return
		}
		if st != lastIcon {
			c.log.Debug("tray icon", "state", st.String())
			lastIcon = st
		}

		m := Menu(v)
		switch {
		case reflect.DeepEqual(m, lastMenu):
		case reflect.DeepEqual(menuShape(m), menuShape(lastMenu)):
			// Only the time of the last check changed: retitle that one
			// item. A rebuild after every check would close an open menu
			// and drop a click landing during it.
			if err := guard(func() { stamp.SetTitle(lastCheckedTitle(m)) }); err != nil {
				lost(err)
				return
			}
			lastMenu = m
		default:
			cancelItems()
			itemsCtx, stop := context.WithCancel(ctx)
			cancelItems = stop
			if err := guard(func() { systray.ResetMenu(); stamp = add(itemsCtx, c, m, nil) }); err != nil {
				lost(err)
				return
			}
			lastMenu = m
		}
		select {
		case <-ctx.Done():
			return
		case <-c.Changed():
		}
	}
}

// add adds items under parent (nil: the top level) and returns the
// "Last checked" item, if it is among them.
func add(ctx context.Context, c *Controller, items []Item, parent *systray.MenuItem) (stamp *systray.MenuItem) {
	for _, it := range items {
		if it.Separator {
			if parent == nil {
				systray.AddSeparator()
			} else {
				parent.AddSeparator()
			}
			continue
		}
		var mi *systray.MenuItem
		switch {
		case parent == nil && it.Checkable:
			mi = systray.AddMenuItemCheckbox(it.Title, it.Tooltip, it.Checked)
		case parent == nil:
			mi = systray.AddMenuItem(it.Title, it.Tooltip)
		case it.Checkable:
			mi = parent.AddSubMenuItemCheckbox(it.Title, it.Tooltip, it.Checked)
		default:
			mi = parent.AddSubMenuItem(it.Title, it.Tooltip)
		}
		if it.Disabled {
			mi.Disable()
		}
		if isLastChecked(it) {
			stamp = mi
		}
		if len(it.Children) > 0 {
			if s := add(ctx, c, it.Children, mi); s != nil {
				stamp = s
			}
			continue
		}
		if it.Command.Kind != None {
			go receive(ctx, c, mi, it.Command)
		}
	}
	return stamp
}

// receive waits for clicks on one item. ClickedCh is unbuffered and a click
// nobody receives is dropped, so the receiver never does the work itself.
func receive(ctx context.Context, c *Controller, mi *systray.MenuItem, cmd Command) {
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-mi.ClickedCh:
			if !ok {
				return // removed by a rebuild
			}
			go c.Do(context.WithoutCancel(ctx), cmd)
		}
	}
}
