package compose

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/notify"
)

// CopyKey is the action key of a suggestion's "Copy" button. It is no
// diagnose action: the tray answers it itself (clipboard), never the loop.
const CopyKey = "copy"

// maxSummary is the longest summary a result note gets: longer text goes to
// the body, which daemons wrap instead of cutting.
const maxSummary = MaxSummary

// Done is the note for an action that was carried out: what the remedy did
// ("Ended socat (PID 5887)") and where the resource stands after the check
// that followed ("udp/1194 is free"). after is that check's finding for the
// resource; ok is false when the check did not cover it.
func Done(before diagnose.Finding, a diagnose.Action, message string, after diagnose.Finding, ok bool) notify.Note {
	msg := strings.TrimSuffix(Clean(message, 600), ".")
	state := ""
	if ok {
		// The check that followed has run: "checking again" is stale.
		msg = strings.TrimSuffix(msg, "; checking again")
		state = Title(after)
		if after.NeedsAttention() && after.Cause == before.Cause {
			state = strings.Replace(state, " is ", " is still ", 1)
		}
	}
	n := notify.Note{Tag: before.Resource.String(), Kind: notify.KindResult}
	switch head := Capitalize(msg); {
	case msg != "" && state != "" && runes(head)+2+runes(state) <= maxSummary:
		n.Title = head + "; " + state
	case msg != "" && runes(head) <= maxSummary:
		n.Title, n.Body = head, fullStop(state)
	default:
		n.Title = Fit(Label(before, a)+": done", "Done")
		n.Body = join(head, fullStop(state))
	}
	return n
}

// Suggest is the note for use-other-port: the free port in the summary
// ("Use udp/1195: free now"), what it replaces, the rewritten ssh command
// when traycheck knows it, and a Copy button for the command or the port.
// copyText is what Copy puts on the clipboard.
func Suggest(before diagnose.Finding, port uint16, command, token string) (n notify.Note, copyText string) {
	r := before.Resource
	n = notify.Note{
		Tag:   r.String(),
		Title: fmt.Sprintf("Use %s/%d: free now", r.Kind, port),
		Body:  "Instead of " + r.String() + ", " + strings.TrimPrefix(Title(before), r.String()+" is ") + ".",
		Token: token,
		Kind:  notify.KindResult,
	}
	copyText = fmt.Sprint(port)
	if c := Clean(command, 300); c != "" {
		n.Body += "\nFor the ssh forward: " + c
		copyText = command
	}
	n.Buttons = []notify.Button{{Key: CopyKey, Label: "Copy"}}
	return n, copyText
}

// Refused is the note for an action traycheck would not carry out, with
// the reason the remedy gave ("socat (PID 5887) no longer holds udp/1194;
// check again").
func Refused(f diagnose.Finding, a diagnose.Action, err error) notify.Note {
	return notify.Note{
		Tag:   f.Resource.String(),
		Title: Fit(Label(f, a)+": not done", "Not done"),
		Body:  fullStop(Reason(a, err)),
		Kind:  notify.KindResult,
	}
}

// Failed is the note for an action that failed: why, in full (the body,
// never cut), and the fix where there is one. fix is added as its own
// line unless the reason already says it.
func Failed(f diagnose.Finding, a diagnose.Action, err error, fix string) notify.Note {
	body := fullStop(Reason(a, err))
	if fix != "" && !strings.Contains(body, fix) {
		body += "\n" + fix
	}
	return notify.Note{
		Tag:   f.Resource.String(),
		Title: Fit(Label(f, a)+" failed", "Action failed"),
		Body:  body,
		Kind:  notify.KindResult,
	}
}

// Reason is err without the prefixes the layers added ("check-as-admin: ",
// "remedy: refused: "): the note's summary already says what failed.
func Reason(a diagnose.Action, err error) string {
	s := err.Error()
	if u := errors.Unwrap(err); u != nil && strings.HasPrefix(s, string(a)+": ") {
		s = u.Error()
	}
	s = strings.TrimPrefix(s, string(a)+": ")
	for _, p := range []string{"remedy: refused: ", "remedy: "} {
		s = strings.TrimPrefix(s, p)
	}
	return strings.TrimSuffix(Clean(s, 1000), ".")
}

// Capitalize upper-cases the first letter.
func Capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// fullStop ends s with a full stop; it does not capitalize: s may start
// with a resource ("udp/1194") or a process name ("python3").
func fullStop(s string) string {
	if s == "" {
		return ""
	}
	return s + "."
}

func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n" + b
}

func runes(s string) int { return utf8.RuneCountInString(s) }
