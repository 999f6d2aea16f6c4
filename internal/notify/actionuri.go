package notify

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// URLScheme is traycheck's per-user URL scheme. Windows toast buttons are
// "protocol" activations: a click opens `traycheck:action?...`, Windows
// starts the registered command line with that URI, and the single-instance
// code forwards it to the running instance, whose offer ledger judges it.
const URLScheme = "traycheck"

// ActionURIFlag is the flag the registered URL scheme's command line passes
// the URI with: `"C:\...\traycheck.exe" --action-uri "traycheck:action?..."`.
// main forwards the value to the running instance.
const ActionURIFlag = "--action-uri"

// RegisterURLScheme registers the per-user traycheck: URL scheme so that a
// click on a toast button starts exe with ActionURIFlag and the URI. On
// Windows it writes HKCU\Software\Classes\traycheck (no elevation); on other
// OSes it does nothing. Call it at startup with os.Executable().
func RegisterURLScheme(exe string) error { return registerURLScheme(exe) }

// urlSchemeCommand is the registered command line. A Windows path cannot
// contain '"', so quoting is enough.
func urlSchemeCommand(exe string) string { return `"` + exe + `" ` + ActionURIFlag + ` "%1"` }

// ErrBadActionURI is wrapped by every ParseActionURI error. An action URI can
// be opened by anything on the machine (a web page, another program), so any
// URI that is not exactly what BuildActionURI produces is refused.
var ErrBadActionURI = errors.New("not a traycheck action URI")

const (
	maxActionURI = 1024
	maxTag       = 200
	maxKey       = 40
	minToken     = 8
	maxToken     = 128
)

// ActionURI is the content of one action URI.
type ActionURI struct {
	Action string // a Button.Key: "retry", "end-process", "confirm-end-process"
	Tag    string // the Note.Tag: "udp/1194"
	Token  string // the Note.Token
}

// BuildActionURI returns `traycheck:action?id=KEY&tag=TAG&token=TOKEN`, with
// every value percent-encoded, so the URI contains only letters, digits and
// `:?=&%-._~`. It refuses values ParseActionURI would refuse.
func BuildActionURI(a ActionURI) (string, error) {
	if err := a.validate(); err != nil {
		return "", err
	}
	return URLScheme + ":action?id=" + url.QueryEscape(a.Action) +
		"&tag=" + url.QueryEscape(a.Tag) + "&token=" + url.QueryEscape(a.Token), nil
}

// ParseActionURI parses an action URI strictly: the scheme, the opaque part
// "action", and exactly the three parameters id, tag and token, each once,
// with valid values. Anything else is an error wrapping ErrBadActionURI.
func ParseActionURI(s string) (ActionURI, error) {
	bad := func(why string) (ActionURI, error) {
		return ActionURI{}, fmt.Errorf("%w: %s", ErrBadActionURI, why)
	}
	if len(s) > maxActionURI {
		return bad("too long")
	}
	rest, ok := cutPrefixFold(s, URLScheme+":action?")
	if !ok {
		// Windows sometimes hands the URI over with a slash after the
		// opaque part.
		rest, ok = cutPrefixFold(s, URLScheme+":action/?")
	}
	if !ok {
		return bad("want " + URLScheme + ":action?...")
	}
	for _, c := range []byte(rest) {
		if !uriChar(c) {
			return bad(fmt.Sprintf("character %q", c))
		}
	}
	q, err := url.ParseQuery(rest)
	if err != nil {
		return bad(err.Error())
	}
	if len(q) != 3 {
		return bad("want exactly id, tag and token")
	}
	var a ActionURI
	for key, dst := range map[string]*string{"id": &a.Action, "tag": &a.Tag, "token": &a.Token} {
		v := q[key]
		if len(v) != 1 {
			return bad("want exactly one " + key)
		}
		*dst = v[0]
	}
	if err := a.validate(); err != nil {
		return ActionURI{}, err
	}
	return a, nil
}

func (a ActionURI) validate() error {
	switch {
	case !validKey(a.Action):
		return fmt.Errorf("%w: action %q", ErrBadActionURI, a.Action)
	case a.Tag == "" || len(a.Tag) > maxTag || strings.ContainsFunc(a.Tag, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fmt.Errorf("%w: tag %q", ErrBadActionURI, a.Tag)
	case !validToken(a.Token):
		return fmt.Errorf("%w: token", ErrBadActionURI)
	}
	return nil
}

// validKey accepts action keys as the diagnose and compose packages make
// them: lowercase words joined by hyphens.
func validKey(s string) bool {
	if s == "" || len(s) > maxKey || s[0] < 'a' || s[0] > 'z' || s[len(s)-1] == '-' {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// validToken accepts hex and base64url tokens.
func validToken(s string) bool {
	if len(s) < minToken || len(s) > maxToken {
		return false
	}
	for _, c := range []byte(s) {
		if !isAlnum(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// uriChar is the alphabet BuildActionURI's query uses (QueryEscape output
// plus the separators).
func uriChar(c byte) bool {
	return isAlnum(c) || strings.IndexByte("%-._~+=&", c) >= 0
}

// cutPrefixFold is strings.CutPrefix ignoring ASCII case: Windows may hand
// the URI over with the scheme in another case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}
