package tray

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/icons"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

var (
	udp1194 = vpnport.Resource{Kind: vpnport.UDP, Port: 1194}
	py      = vpnport.Holder{PID: 4242, Name: "python3", Exe: "/usr/bin/python3"}
	held    = diagnose.Finding{Resource: udp1194, Cause: diagnose.OtherApp, Holders: []vpnport.Holder{py},
		Actions: []diagnose.Action{diagnose.Retry, diagnose.EndProcess}, Message: "udp/1194 is held by python3."}
)

func free(r vpnport.Resource) diagnose.Finding {
	return diagnose.Finding{Resource: r, Cause: diagnose.Free, Actions: []diagnose.Action{}}
}

func allClear() []diagnose.Finding {
	var fs []diagnose.Finding
	for _, p := range []uint16{1194, 1195, 443, 500, 4500} {
		fs = append(fs, free(vpnport.Resource{Kind: vpnport.UDP, Port: p}))
	}
	return append(fs, free(vpnport.Resource{Kind: vpnport.Device, Path: "/dev/ttyUSB0"}))
}

func TestStatusLineAndIcon(t *testing.T) {
	cases := []struct {
		name   string
		v      View
		status string
		icon   icons.State
	}{
		{"before the first check", View{}, "Checking…", icons.Checking},
		{"all clear", View{HaveResult: true, Findings: allClear()}, "All clear: 5 ports, 1 device", icons.OK},
		{"one conflict", View{HaveResult: true, Findings: append(allClear()[1:], held)},
			"udp/1194 held by python3 (PID 4242)", icons.Conflict},
		{"two conflicts", View{HaveResult: true, Findings: []diagnose.Finding{held, {Resource: vpnport.Resource{Kind: vpnport.TCP, Port: 22},
			Cause: diagnose.TimeWait, TimeWaitLeftS: 9}}}, "2 resources need attention", icons.Conflict},
		{"probe failed", View{HaveResult: true, Err: "netlink: permission denied"}, "Cannot check: netlink: permission denied", icons.CannotCheck},
		{"manual check running", View{HaveResult: true, Checking: true, Findings: []diagnose.Finding{held}},
			"udp/1194 held by python3 (PID 4242)", icons.Checking},
		{"vpn client holds it", View{HaveResult: true, Findings: []diagnose.Finding{{Resource: udp1194, Cause: diagnose.VPNClient}}},
			"All clear: 1 port, 0 devices", icons.OK},
	}
	for _, tc := range cases {
		if got := StatusLine(tc.v); got != tc.status {
			t.Errorf("%s: status %q, want %q", tc.name, got, tc.status)
		}
		if got := Icon(tc.v); got != tc.icon {
			t.Errorf("%s: icon %v, want %v", tc.name, got, tc.icon)
		}
		if tip := Tooltip(tc.v); !strings.Contains(tip, tc.status) {
			t.Errorf("%s: tooltip %q lacks the status", tc.name, tip)
		}
	}
}

func titles(items []Item) []string {
	var out []string
	for _, it := range items {
		if !it.Separator {
			out = append(out, it.Title)
		}
	}
	return out
}

func TestMenuAllClear(t *testing.T) {
	m := Menu(View{HaveResult: true, Findings: allClear()})
	want := []string{"All clear: 5 ports, 1 device", "Check now", "Copy diagnostics", "Start at login", "Open config", "Open log", "About traycheck", "Quit"}
	if got := titles(m); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("menu = %q, want %q", got, want)
	}
	if !m[0].Disabled || m[0].Command.Kind != None {
		t.Error("status line must be disabled and inert")
	}
	for _, it := range m {
		switch it.Title {
		case "Start at login":
			if !it.Checkable || !it.Disabled {
				t.Error("start at login: want a checkbox, disabled until autostart is available")
			}
		case "Check now":
			if it.Command.Kind != CheckNow || it.Disabled {
				t.Errorf("check now = %+v", it)
			}
		case "Copy diagnostics":
			if it.Command.Kind != CopyDiagnostics || it.Disabled {
				t.Errorf("copy diagnostics = %+v", it)
			}
		case "Open log":
			if it.Command.Kind != OpenLog || it.Disabled {
				t.Errorf("open log = %+v", it)
			}
		}
	}
	m = Menu(View{HaveResult: true, Autostart: AutostartView{Available: true, Enabled: true}})
	for _, it := range m {
		if it.Title == "Start at login" && (it.Disabled || !it.Checked) {
			t.Errorf("autostart on: item %+v", it)
		}
	}
}

func TestMenuConflictAndConfirmation(t *testing.T) {
	v := View{HaveResult: true, Findings: []diagnose.Finding{free(vpnport.Resource{Kind: vpnport.TCP, Port: 443}), held}}
	m := Menu(v)
	var sub *Item
	for i := range m {
		if m[i].Title == "udp/1194 held by python3 (PID 4242)" && len(m[i].Children) > 0 {
			sub = &m[i]
		}
	}
	if sub == nil {
		t.Fatalf("no submenu for the conflict in %q", titles(m))
	}
	if got := titles(sub.Children); strings.Join(got, "|") != "Retry|End python3…" {
		t.Errorf("actions = %q", got)
	}
	end := sub.Children[1].Command
	if end != (Command{Kind: Act, Action: diagnose.EndProcess, Resource: udp1194, PID: 4242}) {
		t.Errorf("end command = %+v: must not be confirmed from the first click", end)
	}

	v.Prompts = map[vpnport.Resource]Prompt{udp1194: {Action: diagnose.EndProcess, PID: 4242,
		Text: "End python3 (PID 4242, /usr/bin/python3)?"}}
	for _, it := range Menu(v) {
		if it.Title != sub.Title || len(it.Children) == 0 {
			continue
		}
		if got := titles(it.Children); strings.Join(got, "|") != "End python3 (PID 4242, /usr/bin/python3)?|End it|Cancel" {
			t.Fatalf("confirmation menu = %q", got)
		}
		if c := it.Children[1].Command; !c.Confirmed || c.PID != 4242 || c.Action != diagnose.EndProcess {
			t.Errorf("confirm command = %+v", c)
		}
		if !it.Children[0].Disabled {
			t.Error("the prompt line must be disabled")
		}
		return
	}
	t.Fatal("finding submenu vanished with a prompt")
}

func TestCheckNowDisabledWhileChecking(t *testing.T) {
	for _, it := range Menu(View{HaveResult: true, Checking: true}) {
		if it.Title == "Check now" && !it.Disabled {
			t.Error("check now clickable while a check runs")
		}
	}
}

// The file items stay in the menu whatever the state: a helpdesk asks for
// diagnostics exactly when the check fails or finds a conflict.
func TestFileItemsInEveryState(t *testing.T) {
	for name, v := range map[string]View{
		"before the first check": {},
		"probe failed":           {HaveResult: true, Err: "netlink: permission denied"},
		"conflict":               {HaveResult: true, Findings: []diagnose.Finding{held}},
	} {
		kinds := map[CommandKind]bool{}
		for _, it := range Menu(v) {
			if !it.Disabled {
				kinds[it.Command.Kind] = true
			}
		}
		if !kinds[CopyDiagnostics] || !kinds[OpenLog] {
			t.Errorf("%s: menu %q lacks an enabled Copy diagnostics or Open log", name, titles(Menu(v)))
		}
	}
}

func TestCopyDiagnosticsDisabledWhileRunning(t *testing.T) {
	m := Menu(View{HaveResult: true, Diagnosing: true})
	for _, it := range m {
		if it.Command.Kind == CopyDiagnostics {
			if !it.Disabled || it.Title != "Copying diagnostics…" {
				t.Errorf("while copying: %+v, want a disabled \"Copying diagnostics…\"", it)
			}
			return
		}
	}
	t.Fatalf("no Copy diagnostics item in %q", titles(m))
}

// Issue 25 item 6: one conflict is said once, and its actions hang under
// that one line; the menu says when it last checked and which version runs.
func TestMenuSaysConflictOnceWithTimeAndVersion(t *testing.T) {
	at := time.Date(2026, 12, 7, 12, 4, 7, 0, time.Local)
	v := View{HaveResult: true, Findings: []diagnose.Finding{free(vpnport.Resource{Kind: vpnport.TCP, Port: 443}), held},
		LastChecked: at, Version: "1.2.3"}
	m := Menu(v)
	got := titles(m)
	n := 0
	for _, s := range got {
		if strings.Contains(s, "held by python3") {
			n++
		}
	}
	if n != 1 || m[0].Title != "udp/1194 held by python3 (PID 4242)" || len(m[0].Children) == 0 || m[0].Disabled {
		t.Errorf("menu %q: want the conflict once, as the first line with its actions under it", got)
	}
	for _, want := range []string{"Last checked 12:04:07", "About traycheck 1.2.3"} {
		if !slices.Contains(got, want) {
			t.Errorf("menu %q lacks %q", got, want)
		}
	}
	for _, it := range m {
		if it.Title == "About traycheck 1.2.3" && it.Command.Kind != About {
			t.Errorf("about = %+v", it)
		}
	}
	// Two conflicts: a summary line, then one submenu each.
	v.Findings = append(v.Findings, diagnose.Finding{Resource: vpnport.Resource{Kind: vpnport.TCP, Port: 22}, Cause: diagnose.TimeWait,
		TimeWaitLeftS: 9, Actions: []diagnose.Action{diagnose.Wait}})
	m = Menu(v)
	if m[0].Title != "2 resources need attention" || !m[0].Disabled || len(m[1].Children) == 0 || len(m[2].Children) == 0 {
		t.Errorf("two conflicts: %q", titles(m))
	}
}

// A new check time alone does not change the menu's shape: the tray
// retitles that item instead of rebuilding the menu (which would close an
// open menu every check).
func TestMenuShapeIgnoresCheckTime(t *testing.T) {
	v := View{HaveResult: true, Findings: []diagnose.Finding{held}, LastChecked: time.Date(2026, 1, 1, 12, 0, 0, 0, time.Local)}
	a := Menu(v)
	v.LastChecked = v.LastChecked.Add(time.Second)
	b := Menu(v)
	if reflect.DeepEqual(a, b) || !reflect.DeepEqual(menuShape(a), menuShape(b)) {
		t.Error("a new check time must change the label only")
	}
	if got := lastCheckedTitle(b); got != "Last checked 12:00:01" {
		t.Errorf("lastCheckedTitle = %q", got)
	}
	v.Findings = allClear()
	if reflect.DeepEqual(menuShape(b), menuShape(Menu(v))) {
		t.Error("a new state must change the shape")
	}
}
