package findingprint

import (
	"strconv"
	"strings"

	"github.com/traycheck/traycheck/internal/diagnose"
)

// ActionCommand is the command that answers an offer: key is an action id,
// a confirm key, or ACTION for "one of the offered actions".
func ActionCommand(key, resource string, pid int, token string) string {
	cmd := "traycheck action " + key + " --resource " + resource
	if pid > 0 {
		cmd += " --pid " + strconv.Itoa(pid)
	}
	return cmd + " --token " + token
}

// ActionList is actions as `retry, end-process`.
func ActionList(as []diagnose.Action) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}
