package compose

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/vpnport"
)

var py = vpnport.Holder{PID: 4242, Name: "python3", Exe: "/usr/bin/python3", User: "alice"}

func heldByPython() diagnose.Finding {
	return diagnose.Finding{
		Resource: vpnport.Resource{Kind: vpnport.UDP, Port: 1194},
		Cause:    diagnose.OtherApp,
		Holders:  []vpnport.Holder{py},
		Actions:  []diagnose.Action{diagnose.Retry, diagnose.EndProcess},
		Message:  "udp/1194 is held by python3 (PID 4242, /usr/bin/python3, user alice). Close it and retry, or end it.",
	}
}

func TestNoteForHeldPort(t *testing.T) {
	n := Note(heldByPython(), "tok")
	if want := "udp/1194 is held by python3 (PID 4242)"; n.Title != want {
		t.Errorf("title = %q, want %q", n.Title, want)
	}
	if n.Tag != "udp/1194" || n.Token != "tok" || !n.Urgent {
		t.Errorf("tag/token/urgent = %q/%q/%v", n.Tag, n.Token, n.Urgent)
	}
	if len(n.Buttons) != 2 || n.Buttons[0].Key != "retry" || n.Buttons[0].Label != "Retry" ||
		n.Buttons[1].Key != "end-process" || n.Buttons[1].Label != "End python3…" {
		t.Errorf("buttons = %+v", n.Buttons)
	}
	// Issue 25: the body says who and why, not what each button does.
	if n.Body != heldByPython().Message || n.Kind != notify.KindConflict {
		t.Errorf("body = %q, kind %v", n.Body, n.Kind)
	}
	if got, want := ConflictNote(heldByPython(), "VPN 'home'", "").Title, "VPN 'home' is blocked: udp/1194"; got != want {
		t.Errorf("summary naming the connection = %q, want %q (the holder's name does not fit)", got, want)
	}
	if got, want := ConflictNote(heldByPython(), "VPN 'w'", "").Title, "VPN 'w' is blocked: udp/1194 held by python3"; got != want {
		t.Errorf("summary naming the connection = %q, want %q", got, want)
	}
}

func TestTitlesPerCause(t *testing.T) {
	tcp := vpnport.Resource{Kind: vpnport.TCP, Port: 8080}
	cases := []struct {
		f    diagnose.Finding
		want string
	}{
		{diagnose.Finding{Resource: tcp, Cause: diagnose.TimeWait, TimeWaitLeftS: 42}, "tcp/8080 is in TIME_WAIT for 42s more"},
		{diagnose.Finding{Resource: tcp, Cause: diagnose.Free}, "tcp/8080 is free"},
		{diagnose.Finding{Resource: tcp, Cause: diagnose.HiddenOwner, Holders: []vpnport.Holder{{Hidden: true, User: "bob"}}},
			"tcp/8080 is held by a process of bob"},
		{diagnose.Finding{Resource: tcp, Cause: diagnose.SameAppInstance, Holders: []vpnport.Holder{py, py, py}},
			"tcp/8080 is held by python3 (PID 4242) and 2 others"},
		{diagnose.Finding{Resource: tcp, Cause: diagnose.StaleAfterWake}, "tcp/8080 is still busy after wake"},
		{diagnose.Finding{Resource: vpnport.Resource{Kind: vpnport.Device, Path: "/dev/ttyUSB0"}, Cause: diagnose.DeviceMissing},
			"/dev/ttyUSB0 does not exist"},
		{diagnose.Finding{Resource: tcp, Cause: diagnose.OtherApp, Holders: []vpnport.Holder{{PID: 9, Name: "svchost.exe", Service: "IKEEXT"}}},
			"tcp/8080 is held by IKEEXT service (PID 9)"},
	}
	for _, tc := range cases {
		if got := Title(tc.f); got != tc.want {
			t.Errorf("Title(%s) = %q, want %q", tc.f.Cause, got, tc.want)
		}
	}
	if got := Status(heldByPython()); got != "udp/1194 held by python3 (PID 4242)" {
		t.Errorf("Status = %q", got)
	}
	shorts := map[diagnose.Cause]string{
		diagnose.TimeWait:        "tcp/8080 in TIME_WAIT (42s left)",
		diagnose.Free:            "tcp/8080 free",
		diagnose.CrashedLeftover: "tcp/8080 has a stale lock",
		diagnose.StaleAfterWake:  "tcp/8080 still busy after wake",
		diagnose.KernelOwned:     "tcp/8080 in use",
	}
	for c, want := range shorts {
		if got := Status(diagnose.Finding{Resource: tcp, Cause: c, TimeWaitLeftS: 42}); got != want {
			t.Errorf("Status(%s) = %q, want %q", c, got, want)
		}
	}
}

func TestLabels(t *testing.T) {
	f := diagnose.Finding{TimeWaitLeftS: 42, Holders: []vpnport.Holder{py}}
	want := map[diagnose.Action]string{
		diagnose.Retry: "Retry", diagnose.Wait: "Wait 42s", diagnose.EndProcess: "End python3",
		diagnose.ResetAdapter: "Reset adapter", diagnose.RebootSuggested: "Reboot suggested",
		diagnose.RemoveLock: "Remove lock", diagnose.UseOtherPort: "Use another port",
		diagnose.CheckAsAdmin: "Check as admin",
	}
	for _, a := range diagnose.Actions {
		if got := Label(f, a); got != want[a] {
			t.Errorf("Label(%s) = %q, want %q", a, got, want[a])
		}
	}
}

func TestConfirmNamesProcessAndPath(t *testing.T) {
	n := Confirm(heldByPython(), diagnose.EndProcess, "t2")
	if want := "End python3 (PID 4242, /usr/bin/python3)?"; n.Title != want {
		t.Errorf("title = %q, want %q", n.Title, want)
	}
	if len(n.Buttons) != 2 || n.Buttons[0].Key != "confirm-end-process" || n.Buttons[0].Label != "End it" || n.Buttons[1].Key != Cancel {
		t.Errorf("buttons = %+v", n.Buttons)
	}
	if n.Tag != "udp/1194" {
		t.Errorf("confirmation must replace the finding's note, tag = %q", n.Tag)
	}
	lock := diagnose.Finding{Resource: vpnport.Resource{Kind: vpnport.Device, Path: "/dev/ttyS0"},
		Lock: &vpnport.LockFile{Path: "/run/lock/LCK..ttyS0", PID: 77}}
	if n := Confirm(lock, diagnose.RemoveLock, ""); n.Title != "Remove /run/lock/LCK..ttyS0?" || !strings.Contains(n.Body, "PID 77") {
		t.Errorf("remove-lock confirmation = %+v", n)
	}
}

func TestHostileNames(t *testing.T) {
	f := heldByPython()
	f.Holders[0].Name = "evil\n\u202eexe.txt" + strings.Repeat("x", 5000)
	n := Note(f, "")
	for _, s := range []string{n.Title, n.Buttons[1].Label} {
		if strings.ContainsAny(s, "\n\u202e") {
			t.Errorf("control or bidi character survived: %q", s)
		}
		if utf8.RuneCountInString(s) > 120 {
			t.Errorf("name not bounded: %d runes", utf8.RuneCountInString(s))
		}
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"python3", "a\nb", "\u202e", "\xff\xfe", strings.Repeat("é", 100)} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1000 {
			return
		}
		out := Clean(s, max)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		if n := utf8.RuneCountInString(out); n > max+1 {
			t.Fatalf("%d runes > max %d", n, max)
		}
		for _, r := range out {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("control/format rune %U survived in %q", r, out)
			}
		}
	})
}

func TestConfirmPromptUsesTheRemedysWords(t *testing.T) {
	t.Parallel()
	n := ConfirmPrompt(heldByPython(), diagnose.EndProcess, "End python3 (PID 4242, /usr/bin/python3)?", "Unsaved work in it is lost.", "t")
	if n.Title != "End python3 (PID 4242, /usr/bin/python3)?" || n.Body != "Unsaved work in it is lost." {
		t.Errorf("title %q body %q", n.Title, n.Body)
	}
	n = ConfirmPrompt(heldByPython(), diagnose.EndProcess, "End python3 (PID 4242, /opt/x)?", "", "t")
	if n.Title != "End python3 (PID 4242, /opt/x)?" || !strings.Contains(n.Body, "Unsaved work") {
		t.Errorf("a bare question: title %q body %q", n.Title, n.Body)
	}
}

// Every action whose spec asks for a confirmation gets a confirmation note
// whose yes key parses back to that action, confirmed: the split that once
// dropped reset-adapter's confirmation button cannot come back.
func TestEveryConfirmationNoteParsesBack(t *testing.T) {
	t.Parallel()
	for _, a := range diagnose.Actions {
		spec, _ := a.Spec()
		if !spec.Confirm {
			continue
		}
		n := Confirm(heldByPython(), a, "tok")
		got, confirmed, ok := diagnose.ParseKey(n.Buttons[0].Key)
		if got != a || !confirmed || !ok || n.Buttons[1].Key != Cancel {
			t.Errorf("%s: buttons %+v parse to %q,%v,%v", a, n.Buttons, got, confirmed, ok)
		}
	}
}

// TestNoteForSharedSocket: workers sharing one socket are ended together,
// and the button's explanation says so instead of naming one PID.
func TestNoteForSharedSocket(t *testing.T) {
	f := heldByPython()
	w := f.Holders[0]
	w.PID = 4243
	f.Holders = append(f.Holders, w)
	f.Together = [][]int{{4242, 4243}}
	if n := Note(f, "tok"); n.Buttons[1].Label != "End all 2…" {
		t.Errorf("button %q does not say both are stopped", n.Buttons[1].Label)
	}
}
