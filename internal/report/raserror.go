package report

import (
	"errors"
	"fmt"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/ras"
)

// rasErrorText names a RAS error code with raserror.h's name and Windows'
// own text ("RasEnumConnectionsW: error 603 ERROR_BUFFER_TOO_SMALL: ...").
func rasErrorText(err error) string {
	var re *ras.Error
	if errors.As(err, &re) {
		if e, ok := diagnose.LookupRASError(re.Code); ok {
			return fmt.Sprintf("%s: error %d %s: %s", re.Func, re.Code, e.Name, e.Text)
		}
	}
	return err.Error()
}
