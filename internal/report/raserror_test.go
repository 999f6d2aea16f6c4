package report

import (
	"errors"
	"fmt"
	"testing"

	"github.com/traycheck/traycheck/internal/ras"
)

// A RAS code from rasapi32 reaches the report with raserror.h's name and
// text; anything else as it is.
func TestRASErrorText(t *testing.T) {
	err := fmt.Errorf("listing: %w", &ras.Error{Func: "RasEnumConnectionsW", Code: 633})
	if got, want := rasErrorText(err), "RasEnumConnectionsW: error 633 ERROR_PORT_NOT_AVAILABLE: "; len(got) <= len(want) || got[:len(want)] != want {
		t.Errorf("got %q, want it to begin %q", got, want)
	}
	if got := rasErrorText(&ras.Error{Func: "RasEnumDevicesW", Code: 12345}); got != "RasEnumDevicesW: RAS error 12345" {
		t.Errorf("unknown code: %q", got)
	}
	if got := rasErrorText(errors.New("plain")); got != "plain" {
		t.Errorf("plain error: %q", got)
	}
}
