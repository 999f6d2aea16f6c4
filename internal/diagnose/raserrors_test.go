package diagnose

import (
	"strings"
	"testing"
)

func TestRASErrorsTable(t *testing.T) {
	// Typed, and one of the causes a RAS code can mean locally.
	causes := map[Cause]bool{"": true, OtherApp: true, StaleAfterWake: true, DeviceMissing: true}
	prev := 0
	for _, e := range RASErrors {
		if e.Code <= prev {
			t.Errorf("%d after %d: want increasing codes", e.Code, prev)
		}
		prev = e.Code
		if e.Code < 600 || e.Code > 999 {
			t.Errorf("%d is not a RAS code", e.Code)
		}
		if !strings.HasPrefix(e.Name, "ERROR_") && e.Name != "PENDING" {
			t.Errorf("%d: name %q", e.Code, e.Name)
		}
		if !strings.HasSuffix(e.Text, ".") || e.Text[0] < 'A' || e.Text[0] > 'Z' {
			t.Errorf("%d: text %q is not a sentence", e.Code, e.Text)
		}
		if !causes[e.Cause] {
			t.Errorf("%d: unknown cause %q", e.Code, e.Cause)
		}
	}
	for code, want := range map[int]string{602: "ERROR_PORT_ALREADY_OPEN", 633: "ERROR_PORT_NOT_AVAILABLE"} {
		e, ok := LookupRASError(code)
		if !ok || e.Name != want || e.Cause != OtherApp {
			t.Errorf("LookupRASError(%d) = %+v, %v", code, e, ok)
		}
	}
	if _, ok := LookupRASError(10048); ok {
		t.Error("10048 is a Winsock code, not RAS")
	}
}
