// Package tray is traycheck's status icon: its icon and menu are plain
// functions of a View (what the last check found, what is being asked), so
// they are tested without a desktop; a thin systray layer draws them and
// turns clicks into Commands; a Controller, a sink of the monitor, keeps the
// View, shows notifications and sends CheckNow and action requests back into
// the loop.
package tray

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/traycheck/traycheck/icons"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/notify/compose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// View is everything the tray shows.
type View struct {
	// HaveResult is false until the first check finishes.
	HaveResult bool
	// Checking is set while a check the user asked for runs.
	Checking bool
	// Findings are the last check's findings, one per resource.
	Findings []diagnose.Finding
	// Err is why the last check failed ("cannot check").
	Err string
	// Prompts are confirmations asked in the menu, by resource.
	Prompts map[vpnport.Resource]Prompt
	// Autostart is the "Start at login" checkbox state.
	Autostart AutostartView
	// LastChecked is when the last check started (zero: none yet).
	LastChecked time.Time
	// Version is traycheck's version, for the About item ("" hides it).
	Version string
	// Diagnosing is set while "Copy diagnostics" runs (a probe and a
	// clipboard program): a second click would only race the first.
	Diagnosing bool
}

// Prompt is a confirmation the user must give before an action runs.
type Prompt struct {
	Action diagnose.Action
	PID    int
	Text   string // "End python3 (PID 4242, /usr/bin/python3)?"
	// Token is the ledger's token for this confirmation; the menu's yes
	// carries it back.
	Token string
}

// AutostartView is the checkbox: Available is false until the platform
// supports it (the item is then shown disabled).
type AutostartView struct {
	Available, Enabled bool
}

// CommandKind is what a menu item does.
type CommandKind int

// The commands.
const (
	None CommandKind = iota
	CheckNow
	Act    // run Action on Resource (PID, Confirmed)
	Cancel // drop the prompt for Resource
	ToggleAutostart
	OpenConfig
	OpenLog
	CopyDiagnostics
	About
	Quit
)

// Command is a menu item's effect.
type Command struct {
	Kind      CommandKind
	Action    diagnose.Action
	Resource  vpnport.Resource
	PID       int
	Confirmed bool
	Token     string // a confirmation's ledger token
}

// Item is one menu entry; Children make it a submenu.
type Item struct {
	Title     string
	Tooltip   string
	Disabled  bool
	Checkable bool
	Checked   bool
	Separator bool
	Command   Command
	Children  []Item
}

// Icon picks the tray state for v.
func Icon(v View) icons.State {
	switch {
	case !v.HaveResult || v.Checking:
		return icons.Checking
	case v.Err != "":
		return icons.CannotCheck
	}
	for _, f := range v.Findings {
		if f.NeedsAttention() {
			return icons.Conflict
		}
	}
	return icons.OK
}

// Tooltip is the icon's tooltip: the state and the status line.
func Tooltip(v View) string {
	_, base := icons.For(Icon(v))
	return base + "\n" + StatusLine(v)
}

// StatusLine is the menu's first, disabled line.
func StatusLine(v View) string {
	switch {
	case !v.HaveResult:
		return "Checking…"
	case v.Err != "":
		return "Cannot check: " + compose.Clean(v.Err, 80)
	}
	var bad []diagnose.Finding
	ports, devices := 0, 0
	for _, f := range v.Findings {
		if f.Resource.Kind == vpnport.Device {
			devices++
		} else {
			ports++
		}
		if f.NeedsAttention() {
			bad = append(bad, f)
		}
	}
	switch len(bad) {
	case 0:
		return "All clear: " + count(ports, "port") + ", " + count(devices, "device")
	case 1:
		return compose.Status(bad[0])
	}
	return fmt.Sprintf("%d resources need attention", len(bad))
}

func count(n int, what string) string {
	s := strconv.Itoa(n) + " " + what
	if n != 1 {
		s += "s"
	}
	return s
}

// Menu builds the whole menu from v: the status line (with one conflict,
// it is that conflict's submenu: its actions, or the pending
// confirmation; with several, one submenu each follows it), "Last checked",
// then "Check now", "Copy diagnostics", "Start at login", "Open config",
// "Open log", "About traycheck" and "Quit".
func Menu(v View) []Item {
	items := []Item{{Title: StatusLine(v), Disabled: true}}
	if v.HaveResult && v.Err == "" {
		var bad []Item
		for _, f := range v.Findings {
			if f.NeedsAttention() {
				bad = append(bad, findingItem(f, v.Prompts[f.Resource]))
			}
		}
		if len(bad) == 1 {
			items = bad // its title is the status line: said once
		} else {
			items = append(items, bad...)
		}
	}
	if !v.LastChecked.IsZero() {
		items = append(items, Item{Title: lastCheckedPrefix + v.LastChecked.Local().Format("15:04:05"), Disabled: true})
	}
	check := Item{Title: "Check now", Command: Command{Kind: CheckNow}}
	if v.Checking {
		check.Disabled = true
	}
	diag := Item{Title: "Copy diagnostics", Tooltip: "Save a report for a helpdesk and copy it to the clipboard",
		Command: Command{Kind: CopyDiagnostics}}
	if v.Diagnosing {
		diag.Title, diag.Disabled = "Copying diagnostics…", true
	}
	items = append(items, Item{Separator: true}, check, diag,
		Item{Separator: true},
		Item{Title: "Start at login", Checkable: true, Checked: v.Autostart.Enabled,
			Disabled: !v.Autostart.Available, Command: Command{Kind: ToggleAutostart}},
		Item{Title: "Open config", Command: Command{Kind: OpenConfig}},
		Item{Title: "Open log", Command: Command{Kind: OpenLog}},
		Item{Separator: true},
		Item{Title: AboutTitle(v.Version), Tooltip: "Version, log and config paths", Command: Command{Kind: About}},
		Item{Title: "Quit", Command: Command{Kind: Quit}},
	)
	return items
}

func findingItem(f diagnose.Finding, p Prompt) Item {
	it := Item{Title: compose.Status(f), Tooltip: compose.Clean(f.Message, 300)}
	if p.Action != "" {
		yes := compose.Confirm(f, p.Action, "").Buttons[0].Label
		it.Children = []Item{
			{Title: p.Text, Disabled: true},
			{Title: yes, Command: Command{Kind: Act, Action: p.Action, Resource: f.Resource, PID: p.PID, Confirmed: true, Token: p.Token}},
			{Title: "Cancel", Command: Command{Kind: Cancel, Resource: f.Resource}},
		}
		return it
	}
	for _, a := range f.Actions {
		label := compose.Label(f, a)
		if spec, _ := a.Spec(); spec.Confirm {
			label += "…" // a confirmation follows
		}
		it.Children = append(it.Children, Item{Title: label,
			Command: Command{Kind: Act, Action: a, Resource: f.Resource, PID: ActPID(f, a)}})
	}
	if len(it.Children) == 0 {
		it.Children = []Item{{Title: "No action available", Disabled: true}}
	}
	return it
}

// ActPID is the process an action targets: the first visible holder for
// end-process, 0 otherwise.
func ActPID(f diagnose.Finding, a diagnose.Action) int {
	if a != diagnose.EndProcess {
		return 0
	}
	h, _ := f.ActHolder()
	return h.PID
}

// lastCheckedPrefix starts the label of the item that says when the last
// check ran.
const lastCheckedPrefix = "Last checked "

func isLastChecked(it Item) bool {
	return it.Disabled && len(it.Children) == 0 && strings.HasPrefix(it.Title, lastCheckedPrefix)
}

// menuShape is m without the time of the last check: two menus of one shape
// differ only in that label, which is retitled in place, not rebuilt.
func menuShape(m []Item) []Item {
	out := make([]Item, len(m))
	for i, it := range m {
		if isLastChecked(it) {
			it.Title = lastCheckedPrefix
		}
		out[i] = it
	}
	return out
}

// lastCheckedTitle is the label of m's "Last checked" item ("" if none).
func lastCheckedTitle(m []Item) string {
	for _, it := range m {
		if isLastChecked(it) {
			return it.Title
		}
	}
	return ""
}

// AboutTitle is the About item's label: "About traycheck 1.2.3".
func AboutTitle(version string) string {
	if version == "" {
		return "About traycheck"
	}
	return "About traycheck " + version
}
