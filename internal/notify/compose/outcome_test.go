package compose

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/remedy"
	"github.com/traycheck/traycheck/internal/vpnport"
)

func TestDoneSaysWhatChanged(t *testing.T) {
	before := heldByPython()
	after := diagnose.Finding{Resource: before.Resource, Cause: diagnose.Free}
	n := Done(before, diagnose.EndProcess, "ended python3 (PID 4242)", after, true)
	if want := "Ended python3 (PID 4242); udp/1194 is free"; n.Title != want || n.Kind != notify.KindResult || n.Critical {
		t.Errorf("done = %+v, want title %q, a result", n, want)
	}
	// A long account goes to the body whole; the summary stays short.
	long := "killed python3 (PID 4242) and python3 (PID 4243) after it ignored a request to exit for 5s"
	n = Done(before, diagnose.EndProcess, long, after, true)
	if n.Title != "End python3: done" || !strings.Contains(n.Body, "Killed python3 (PID 4242) and python3 (PID 4243) after it ignored a request to exit for 5s") ||
		!strings.Contains(n.Body, "udp/1194 is free") {
		t.Errorf("long done = %+v", n)
	}
}

func TestDoneSaysWhatIsStillWrong(t *testing.T) {
	before := heldByPython()
	n := Done(before, diagnose.ResetAdapter, "reset adapter wlan0; checking again", before, true)
	if want := "Reset adapter wlan0"; n.Title != want || n.Body != "udp/1194 is still held by python3 (PID 4242)." {
		t.Errorf("done = %+v, want title %q and the state in the body", n, want)
	}
}

func TestSuggestGivesPortAndCommand(t *testing.T) {
	n, text := Suggest(heldByPython(), 1195, "", "tok")
	if n.Title != "Use udp/1195: free now" || text != "1195" || len(n.Buttons) != 1 || n.Buttons[0].Key != CopyKey || n.Token != "tok" {
		t.Errorf("suggestion = %+v, copy %q", n, text)
	}
	f := heldByPython()
	f.Resource = vpnport.Resource{Kind: vpnport.TCP, Port: 8080}
	n, text = Suggest(f, 8081, "ssh -L 8081:db:5432 bastion", "")
	if text != "ssh -L 8081:db:5432 bastion" || !strings.Contains(n.Body, "\nFor the ssh forward: ssh -L 8081:db:5432 bastion") {
		t.Errorf("ssh suggestion = %+v, copy %q", n, text)
	}
}

func TestRefusedAndFailedKeepTheirReason(t *testing.T) {
	f := heldByPython()
	err := fmt.Errorf("end-process: %w", fmt.Errorf("%w: python3 (PID 4242) no longer holds udp/1194; check again", remedy.ErrRefused))
	n := Refused(f, diagnose.EndProcess, err)
	if n.Title != "End python3: not done" || n.Body != "python3 (PID 4242) no longer holds udp/1194; check again." {
		t.Errorf("refused = %+v", n)
	}
	long := "checking udp/1194 as administrator: administrator rights are needed and pkexec is not installed (install polkit, or run the command as root): exec: \"pkexec\": executable file not found in $PATH"
	err = fmt.Errorf("check-as-admin: %w", errors.New(long))
	n = Failed(f, diagnose.CheckAsAdmin, err, "Or run in a terminal: sudo traycheck check udp/1194")
	if n.Title != "Check as admin failed" {
		t.Errorf("summary %q", n.Title)
	}
	if strings.Contains(n.Body, "check-as-admin") || !strings.Contains(n.Body, "install polkit, or run the command as root") ||
		!strings.Contains(n.Body, "executable file not found in $PATH") || !strings.HasSuffix(n.Body, "sudo traycheck check udp/1194") {
		t.Errorf("failure body lost its fix or repeats its prefix: %q", n.Body)
	}
}

// Issue 25: no summary is cut by the daemon: every summary fits in
// MaxSummary characters (the desktop e2e test measures that this fits),
// whatever the names, and the body keeps what did not fit.
func TestSummariesFit(t *testing.T) {
	long := strings.Repeat("n", 60)
	f := heldByPython()
	f.Resource = vpnport.Resource{Kind: vpnport.UDP, Port: 65535}
	f.Holders[0].Name = long
	f.Holders[0].PID = 4194304
	f.Holders[0].Exe = "/opt/" + long + "/bin/" + long
	hidden := f
	hidden.Holders = []vpnport.Holder{{Hidden: true, User: long}, {Hidden: true, User: "x"}}
	dev := diagnose.Finding{Resource: vpnport.Resource{Kind: vpnport.Device, Path: "/dev/" + long}, Cause: diagnose.CrashedLeftover,
		Lock: &vpnport.LockFile{Path: "/run/lock/LCK.." + long, PID: 7}, Actions: []diagnose.Action{diagnose.RemoveLock}}
	var notes []notify.Note
	for _, x := range []diagnose.Finding{f, hidden, dev} {
		for _, conn := range []string{"", "VPN '" + long + "'", "ssh forward"} {
			notes = append(notes, ConflictNote(x, conn, ""))
		}
		for _, a := range diagnose.Actions {
			notes = append(notes, Confirm(x, a, ""), ConfirmPrompt(x, a, "End "+long+" (PID 4194304, "+x.Resource.String()+")?", "", ""),
				Refused(x, a, errors.New(long)), Failed(x, a, errors.New(long), ""), Done(x, a, "ended "+long, x, true))
		}
		s, _ := Suggest(x, 65534, "ssh -L 65534:"+long+":22 "+long, "")
		notes = append(notes, s)
	}
	for _, n := range notes {
		if got := len([]rune(n.Title)); got > MaxSummary {
			t.Errorf("summary of %d characters (max %d): %q", got, MaxSummary, n.Title)
		}
	}
	// What the summary leaves out is in the body.
	c := ConfirmPrompt(f, diagnose.EndProcess, "End "+long+" (PID 4194304, /opt/x)?", "It is asked to stop.", "")
	if !strings.Contains(c.Body, "/opt/x") || !strings.HasPrefix(c.Title, "End nnnn") {
		t.Errorf("long confirmation: %+v", c)
	}
}
