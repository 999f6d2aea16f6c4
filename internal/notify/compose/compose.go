// Package compose turns a diagnose.Finding into the words a person reads: a
// notification's title, body and button labels, and the confirmation asked
// before a destructive action. It is pure text (no I/O) so every OS's
// notifier and the tray menu say the same thing, and it keeps package notify
// itself free of diagnose (notify sits below diagnose in the layering).
package compose

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/safetext"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// Cancel is the key of a confirmation's "no" button.
const Cancel = diagnose.CancelKey

// maxName bounds a process name in a title: names come from other users'
// processes, and a 4 KiB argv[0] must not push the resource off the screen.
const maxName = 40

// Clean makes text from outside (process names, paths) safe to show: control
// and format characters (newlines, bidi overrides) become spaces or vanish,
// and it is cut to max runes with an ellipsis.
func Clean(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range safetext.Printable(s) {
		if n == max {
			b.WriteRune('…')
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

func shortHolder(h vpnport.Holder) string {
	name := Clean(h.Name, maxName)
	if h.Service != "" {
		name = Clean(h.Service, maxName) + " service"
	}
	return fmt.Sprintf("%s (PID %d)", name, h.PID)
}

// Who names the holders briefly: "python3 (PID 4242)", "python3 (PID 4242)
// and 2 others", "a process of user bob (PID hidden)".
func Who(f diagnose.Finding) string {
	if len(f.Holders) == 0 {
		return ""
	}
	h := f.Holders[0]
	var s string
	switch {
	case h.Hidden || h.Kernel:
		s = Clean(diagnose.HolderText(h), 2*maxName)
	default:
		s = shortHolder(h)
	}
	switch n := len(f.Holders) - 1; n {
	case 0:
	case 1:
		s += " and 1 other"
	default:
		s += " and " + strconv.Itoa(n) + " others"
	}
	return s
}

// Status is the one-line state of a finding for a menu:
// "udp/1194 held by python3 (PID 4242)".
func Status(f diagnose.Finding) string { return describe(f, short) }

// Title is a note's title: the resource and who holds it,
// "udp/1194 is held by python3 (PID 4242)".
// A hidden holder is named by its user only: "(PID hidden)" adds nothing
// the body does not say, and made the longest summary too long to show.
func Title(f diagnose.Finding) string {
	if len(f.Holders) > 0 && f.Holders[0].Hidden && f.Holders[0].User != "" && f.Cause != diagnose.TimeWait {
		s := f.Resource.String() + " is held by a process of " + Clean(f.Holders[0].User, 16)
		if n := len(f.Holders) - 1; n > 0 {
			s += " and " + strconv.Itoa(n) + " more"
		}
		return s
	}
	return describe(f, sentence)
}

const (
	short    = 0 // a menu line
	sentence = 1 // a note's title
)

// fixedPhrases says a cause that names no holder, per form.
var fixedPhrases = map[diagnose.Cause][2]string{
	diagnose.Free:            {"free", "is free"},
	diagnose.DeviceMissing:   {"missing", "does not exist"},
	diagnose.ReservedRange:   {"in a reserved range", "is in a reserved port range"},
	diagnose.CrashedLeftover: {"has a stale lock", "has a stale lock from a crashed program"},
}

func describe(f diagnose.Finding, form int) string {
	r := f.Resource.String()
	if f.Cause == diagnose.TimeWait {
		return fmt.Sprintf([2]string{"%s in TIME_WAIT (%ds left)", "%s is in TIME_WAIT for %ds more"}[form], r, f.TimeWaitLeftS)
	}
	if p, ok := fixedPhrases[f.Cause]; ok {
		return r + " " + p[form]
	}
	is := [2]string{"", "is "}[form]
	if w := Who(f); w != "" {
		return r + " " + is + "held by " + w
	}
	if f.Cause == diagnose.StaleAfterWake {
		return r + " " + is + "still busy after wake"
	}
	return r + " " + is + "in use"
}

// Label is the text of the button for a: the action table's label, made
// specific where the finding says more ("Wait 42s", "End python3").
func Label(f diagnose.Finding, a diagnose.Action) string {
	switch a {
	case diagnose.Wait:
		if f.TimeWaitLeftS > 0 {
			return "Wait " + strconv.Itoa(f.TimeWaitLeftS) + "s"
		}
	case diagnose.EndProcess:
		if h, ok := f.ActHolder(); ok {
			return "End " + Clean(h.Name, maxName)
		}
	}
	if spec, ok := a.Spec(); ok {
		return spec.Label
	}
	return Clean(string(a), maxName)
}

// Body says who holds the resource and why it matters, in the finding's
// own words (a sentence or two); the buttons speak for themselves.
func Body(f diagnose.Finding) string { return Clean(f.Message, 400) }

// Note is the notification for f, tagged with its resource so a later note
// for the same resource replaces it. token is the caller's per-note secret.
func Note(f diagnose.Finding, token string) notify.Note { return ConflictNote(f, "", token) }

// ConflictNote is Note naming the connection the resource belongs to
// ("VPN 'work'", "the VPN", "ssh forward"; "" when unknown) in its summary.
func ConflictNote(f diagnose.Finding, conn, token string) notify.Note {
	n := notify.Note{
		Tag:   f.Resource.String(),
		Title: Title(f),
		Body:  Body(f),
		Token: token,
		// A conflict stays while it is not handled, where the desktop keeps
		// notes: an expiring note would leave the user without the buttons.
		Urgent: f.NeedsAttention(),
		Kind:   notify.KindConflict,
	}
	n.Title = conflictSummary(f, conn)
	for _, a := range f.Actions {
		label := Label(f, a)
		if h, ok := f.ActHolder(); ok && a == diagnose.EndProcess {
			// Processes sharing one socket are ended together (remedy ends
			// the holder's whole group): the button says so.
			if g := f.EndGroup(h.PID); len(g) > 1 {
				label = "End all " + strconv.Itoa(len(g))
			}
		}
		if spec, _ := a.Spec(); spec.Confirm {
			label += "…" // a confirmation follows
		}
		n.Buttons = append(n.Buttons, notify.Button{Key: string(a), Label: label})
	}
	return n
}

// maxConn bounds a connection's name in a summary.
const maxConn = 20

// MaxSummary is the longest summary traycheck writes, in characters: what
// one line of xfce4-notifyd shows without cutting it with an ellipsis (its
// widest note holds about 48; the desktop e2e test measures the longest
// summary traycheck writes against it). Longer text goes to
// the body, which daemons wrap.
const MaxSummary = 46

// Fit returns the first candidate that fits in MaxSummary, or the last one
// cut to it: callers list them from the most to the least telling, ending
// with one that fits by construction.
func Fit(cands ...string) string {
	for _, c := range cands {
		if runes(c) <= MaxSummary {
			return c
		}
	}
	return Clean(cands[len(cands)-1], MaxSummary-1)
}

// conflictSummary is a conflict note's summary: the connection, the
// resource and who holds it, as much of it as fits ("VPN 'work' is blocked:
// udp/1194 held by socat"); the body always says all of it.
func conflictSummary(f diagnose.Finding, conn string) string {
	r := f.Resource.String()
	if conn == "" || !f.NeedsAttention() {
		return Fit(Title(f), r+" is "+strings.TrimPrefix(describeShort(f), r+" "), r+" is blocked")
	}
	c := Clean(conn, maxConn)
	return Fit(c+" is blocked: "+describeShort(f), c+" is blocked: "+r)
}

// describeShort is the resource and its holder's name, without PID:
// "udp/1194 held by socat", for a summary that also names the connection.
func describeShort(f diagnose.Finding) string {
	if len(f.Holders) > 0 {
		h := f.Holders[0]
		who := Clean(h.Name, 20)
		switch {
		case h.Hidden:
			who = "a process of " + Clean(h.User, 16)
			if h.User == "" {
				who = "a hidden process"
			}
		case h.Kernel:
			who = "the kernel"
		case h.Service != "":
			who = Clean(h.Service, 20) + " service"
		}
		if len(f.Holders) > 1 {
			who += " and others"
		}
		return f.Resource.String() + " held by " + who
	}
	return Status(f)
}

// Confirm is the second note asked before a (its spec says Confirm): it names the
// target exactly, "End python3 (PID 4242, /usr/bin/python3)?", and offers
// the confirmation and Cancel. It replaces the finding's note (same tag).
func Confirm(f diagnose.Finding, a diagnose.Action, token string) notify.Note {
	var title, yes, body string
	switch a {
	case diagnose.EndProcess:
		h, _ := f.ActHolder()
		exe := Clean(h.Exe, 2*maxName)
		if exe == "" {
			exe = "path unknown"
		}
		title = fmt.Sprintf("End %s (PID %d, %s)?", Clean(h.Name, maxName), h.PID, exe)
		yes = "End it"
		body = fmt.Sprintf("traycheck asks %s to stop, and forces it after a few seconds. Unsaved work in it is lost.", Clean(h.Name, maxName))
	case diagnose.RebootSuggested:
		title = "Restart the computer now?"
		yes = "Restart"
		body = "Nothing else holds " + f.Resource.String() + " and resetting the adapter did not help; a restart clears the stale lock. Save your work first."
	case diagnose.ResetAdapter:
		title = "Reset the network adapter?"
		yes = "Reset it"
		body = "Every connection through it drops for a moment; administrator rights may be asked for."
	case diagnose.RemoveLock:
		path, pid := "the lock file", 0
		if f.Lock != nil {
			path, pid = Clean(f.Lock.Path, 2*maxName), f.Lock.PID
		}
		title = fmt.Sprintf("Remove %s?", path)
		yes = "Remove it"
		body = fmt.Sprintf("It names PID %d, which is no longer running. traycheck checks that again before deleting it.", pid)
	default:
		title = Label(f, a) + "?"
		yes = Label(f, a)
	}
	n := notify.Note{
		Tag:   f.Resource.String(),
		Title: title,
		Body:  body,
		Buttons: []notify.Button{
			{Key: a.ConfirmKey(), Label: yes},
			{Key: Cancel, Label: "Cancel"},
		},
		Token:  token,
		Urgent: true,
		Kind:   notify.KindPrompt,
	}
	fitQuestion(&n, f, a)
	return n
}

// ConfirmPrompt is Confirm with the remedy's own question as the title and
// its consequence as the body, when it gave them: the remedy re-reads the
// target before asking, so its wording names what will really be acted on.
func ConfirmPrompt(f diagnose.Finding, a diagnose.Action, question, consequence, token string) notify.Note {
	n := Confirm(f, a, token)
	if q := Clean(question, 4*maxName); q != "" {
		n.Title = q
	}
	if c := Clean(consequence, 400); c != "" {
		n.Body = c
	}
	fitQuestion(&n, f, a)
	return n
}

// fitQuestion keeps a confirmation's summary short. A question names the
// program's path or the lock file, which must be read whole before saying
// yes: when it does not fit, it goes to the body.
func fitQuestion(n *notify.Note, f diagnose.Finding, a diagnose.Action) {
	if runes(n.Title) <= MaxSummary {
		return
	}
	n.Body = strings.TrimSuffix(n.Title+"\n"+n.Body, "\n")
	n.Title = Fit(shortQuestion(f, a), Label(f, a)+"?")
}

// shortQuestion is a confirmation's summary without the program's path:
// "End socat (PID 5887)?".
func shortQuestion(f diagnose.Finding, a diagnose.Action) string {
	if h, ok := f.ActHolder(); ok && a == diagnose.EndProcess {
		return fmt.Sprintf("End %s (PID %d)?", Clean(h.Name, 20), h.PID)
	}
	return Label(f, a) + "?"
}
