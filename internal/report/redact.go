package report

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Redactor hides who the user is in a report a helpdesk will read: user names
// become user1, user2... (the same name always the same pseudonym, so "two
// different users" stays visible), home directories become ~ or
// /home/userN, and command lines keep only the program unless Full. System
// accounts (root, SYSTEM, nobody...) are kept: they say what kind of holder
// it is and identify no one. It is a pure function of its inputs; the zero
// value is not usable, use NewRedactor.
type Redactor struct {
	// Full keeps command-line arguments (traycheck report --full).
	Full bool

	home  string
	names map[string]string // lower-case name -> pseudonym
	order []string          // names as first seen
}

// NewRedactor returns a Redactor for the user running traycheck: me is the
// user name (may be "DOMAIN\name"), home the home directory.
func NewRedactor(me, home string, full bool) *Redactor {
	r := &Redactor{Full: full, home: strings.TrimRight(home, `/\`), names: map[string]string{}}
	r.AddUser(me)
	return r
}

// systemAccounts identify no one; lower-case.
var systemAccounts = map[string]bool{
	"": true, "root": true, "system": true, "local service": true, "network service": true, "nobody": true,
	"daemon": true, "bin": true, "messagebus": true, "avahi": true, "polkitd": true,
}

// AddUser registers a user name to be replaced everywhere; call it for every
// name the report will contain before redacting text.
func (r *Redactor) AddUser(name string) {
	base := userBase(name)
	key := strings.ToLower(base)
	if isSystemAccount(key) || r.names[key] != "" {
		return
	}
	r.names[key] = "user" + strconv.Itoa(len(r.names)+1)
	r.order = append(r.order, base)
}

func isSystemAccount(lower string) bool {
	return systemAccounts[lower] || strings.HasPrefix(lower, "systemd-") || strings.HasPrefix(lower, "nt authority") ||
		strings.HasPrefix(lower, "nt service") || (strings.HasPrefix(lower, "_") && len(lower) > 1)
}

// userBase strips a Windows domain: "DESKTOP-1\bob" -> "bob"; a well-known
// domain ("NT AUTHORITY\SYSTEM") is kept whole so it stays recognisable.
func userBase(name string) string {
	if i := strings.LastIndexByte(name, '\\'); i >= 0 {
		if isSystemAccount(strings.ToLower(name[:i])) {
			return name
		}
		return name[i+1:]
	}
	return name
}

// User returns the pseudonym for a user name, or the name itself for a
// system account. An unregistered name is registered.
func (r *Redactor) User(name string) string {
	base := userBase(name)
	key := strings.ToLower(base)
	if isSystemAccount(key) {
		return name
	}
	r.AddUser(name)
	return r.names[key]
}

// homeRE finds other users' home directories on every OS: /home/NAME,
// /Users/NAME, /var/home/NAME, C:\Users\NAME (also with forward slashes).
var homeRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(/home/|/var/home/|/Users/|\b[A-Z]:[\\/]Users[\\/])([^/\\\s'":]{1,64})`)
})

// sharedHomes are directories under /Users or C:\Users that belong to no one.
var sharedHomes = map[string]bool{"shared": true, "public": true, "default": true, "all users": true, "default user": true}

// Text redacts free text: the user's home directory becomes ~, other home
// directories /home/userN, and registered user names (as whole words,
// ignoring case; names shorter than 3 letters are only replaced in paths,
// as words that short are ordinary words too) their pseudonyms.
func (r *Redactor) Text(s string) string {
	if r.home != "" && len(r.home) > 1 {
		s = replaceFold(s, r.home, "~")
	}
	s = homeRE().ReplaceAllStringFunc(s, func(m string) string {
		sub := homeRE().FindStringSubmatch(m)
		if sharedHomes[strings.ToLower(sub[2])] {
			return m
		}
		return sub[1] + r.User(sub[2])
	})
	for _, name := range r.order {
		if len(name) >= 3 {
			s = replaceFold(s, name, r.names[strings.ToLower(name)])
		}
	}
	return s
}

// Argv redacts a command line: the program path through Text, and, unless
// Full, every argument after it dropped (arguments carry host names, tokens
// and file names).
func (r *Redactor) Argv(argv []string) []string {
	if len(argv) == 0 {
		return argv
	}
	if !r.Full {
		return []string{r.Text(argv[0])}
	}
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = r.Text(a)
	}
	return out
}

// replaceFold replaces every ASCII-case-insensitive occurrence of old in s
// that is not inside a longer word (the name "ann" in "annual" stays, and so
// does the home /home/al in /home/al2).
func replaceFold(s, old, repl string) string {
	if old == "" {
		return s
	}
	ls, lo := lowerASCII(s), lowerASCII(old)
	var b strings.Builder
	last := 0
	for i := 0; i <= len(ls)-len(lo); {
		j := strings.Index(ls[i:], lo)
		if j < 0 {
			break
		}
		at := i + j
		end := at + len(lo)
		if at > 0 && isWordByte(s[at-1]) || end < len(s) && isWordByte(s[end]) {
			i = at + 1
			continue
		}
		b.WriteString(s[last:at])
		b.WriteString(repl)
		last, i = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c >= 0x80
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
