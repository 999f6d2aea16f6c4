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
