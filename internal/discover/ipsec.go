package discover

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/traycheck/traycheck/internal/portnum"
)

// IKE's well-known ports, which charon binds unless strongswan.conf says
// otherwise.
const (
	ikePort     = 500
	ikeNATTPort = 4500
)

// swanReader reads strongswan.conf syntax (strongswan.conf, swanctl.conf):
// nested "name { key = value }" sections and "include GLOB" lines, which are
// read in place inside the section they stand in (relative to the including
// file's directory). Of strongswan.conf it keeps charon's port and
// port_nat_t (only the charon and charon-systemd sections count: charon-nm
// binds random ports, as NetworkManager discovery says; 0 means "a random
// port", -1 not set); of swanctl.conf the names of the connections (the
// sections directly inside "connections").
type swanReader struct {
	b          *budget
	read       func(string) ([]byte, error)
	port, natt int
	conns      []string
	files      []string
	skipped    skips
}

func newSwanReader(b *budget) *swanReader {
	return &swanReader{b: b, read: b.read, port: -1, natt: -1}
}

func (s *swanReader) file(path string, stack []string, depth int) error {
	b, err := s.read(path)
	if err != nil {
		return err
	}
	s.files = append(s.files, path)
	return s.parse(bytes.NewReader(b), path, stack, depth)
}

func (s *swanReader) parse(r io.Reader, path string, stack []string, depth int) error {
	lr := newLineReader(r)
	for {
		line, ok := lr.next()
		if !ok {
			break
		}
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasSuffix(line, "{"):
			name := strings.TrimSpace(strings.TrimSuffix(line, "{"))
			if len(stack) == 1 && stack[0] == "connections" && !slices.Contains(s.conns, name) {
				s.conns = append(s.conns, name)
			}
			stack = append(stack, name)
		case line == "}":
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case strings.HasPrefix(line, "include ") || strings.HasPrefix(line, "include\t"):
			s.include(strings.TrimSpace(line[len("include"):]), path, at(path, lr.n), func(m string) error {
				return s.file(m, slices.Clone(stack), depth+1)
			}, depth)
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || len(stack) != 1 || (stack[0] != "charon" && stack[0] != "charon-systemd") {
				continue
			}
			n, err := portnum.Parse(strings.TrimSpace(v))
			if err != nil && !errors.Is(err, portnum.ErrZero) {
				continue
			}
			switch strings.TrimSpace(k) {
			case "port":
				s.port = int(n)
			case "port_nat_t":
				s.natt = int(n)
			}
		}
	}
	s.skipped.longLines(path, lr)
	return lr.err
}

// include reads the files an include pattern names, each through read; an
// unreadable one is skipped, as charon and starter do, and named.
func (s *swanReader) include(pat, from, where string, read func(string) error, depth int) {
	if depth >= maxIncludeNest {
		s.skipped.add(where, fmt.Sprintf("include nested deeper than %d: not read", maxIncludeNest))
		return
	}
	if !filepath.IsAbs(pat) {
		pat = filepath.Join(filepath.Dir(from), pat)
	}
	for _, m := range s.b.expand(pat, where, &s.skipped) {
		if err := read(m); err != nil {
			s.skipped.add(where, "include "+m+": "+why(err))
		}
	}
}

// ipsecConf reads ipsec.conf syntax (strongSwan's starter, libreswan's
// pluto): "conn NAME" and "config setup" sections starting in the first
// column and "include GLOB" lines. It keeps the names of the connections
// other than %default, which only sets defaults.
func (s *swanReader) ipsecConf(path string, depth int) error {
	b, err := s.read(path)
	if err != nil {
		return err
	}
	s.files = append(s.files, path)
	lr := newLineReader(bytes.NewReader(b))
	for {
		line, ok := lr.next()
		if !ok {
			break
		}
		if line == "" || line[0] == ' ' || line[0] == '\t' || line[0] == '#' {
			continue // a section's settings are indented
		}
		f := strings.Fields(line)
		switch {
		case len(f) >= 2 && f[0] == "conn" && f[1] != "%default" && !strings.HasPrefix(f[1], "#"):
			if !slices.Contains(s.conns, f[1]) {
				s.conns = append(s.conns, f[1])
			}
		case len(f) >= 2 && f[0] == "include":
			s.include(f[1], path, at(path, lr.n), func(m string) error { return s.ipsecConf(m, depth+1) }, depth)
		}
	}
	s.skipped.longLines(path, lr)
	return lr.err
}

// ipsecFiles reports one IPsec setup when ipsec.conf has a conn section or
// swanctl.conf a connection (a stock ipsec.conf with only "config setup"
// is an installed package, not a setup), with the ports strongswan.conf
// gives (IKE's defaults otherwise). confs are strongswan.conf files; setups
// are ipsec.conf and swanctl.conf files, told apart by name.
func ipsecFiles(b *budget, confs, setups []string) []Found {
	f := Found{Kind: KindIPsec, Name: "IPsec (strongSwan/libreswan)",
		Clients: []string{"charon", "charon-systemd", "starter", "pluto"}}
	var sk skips
	var conns []string
	unknown := false
	for _, p := range setups {
		r := newSwanReader(b)
		var err error
		if filepath.Base(p) == "swanctl.conf" {
			err = r.file(p, nil, 0)
		} else {
			err = r.ipsecConf(p, 0)
		}
		for _, s := range r.skipped.result() {
			sk.add(s.Where, s.Why)
		}
		switch {
		case isNotExist(err):
			continue
		case err != nil:
			// Whether it defines a connection cannot be known.
			unknown = true
			f.addNote(p + " " + unreadableNote(err))
			if f.Source == "" {
				f.Source = p
			}
			continue
		}
		if len(r.conns) > 0 && (f.Source == "" || len(conns) == 0) {
			f.Source = p
		}
		conns = append(conns, r.conns...)
	}
	if len(conns) == 0 && !unknown {
		if s := sk.result(); len(s) > 0 {
			// No connection among what could be read: say what could not.
			return []Found{{Source: setups[0], Kind: KindIPsec, Name: "IPsec configuration", Skipped: s,
				Note: "no connection found in what could be read"}}
		}
		return nil
	}
	if len(conns) > 0 {
		f.addNote("connections: " + strings.Join(conns, ", "))
	}
	port, natt := ikePort, ikeNATTPort
	for _, c := range confs {
		r := newSwanReader(b)
		err := r.file(c, nil, 0)
		for _, s := range r.skipped.result() {
			sk.add(s.Where, s.Why)
		}
		if err != nil {
			if !isNotExist(err) {
				f.addNote(c + " " + unreadableNote(err))
			}
			continue
		}
		if r.port >= 0 {
			port = r.port
		}
		if r.natt >= 0 {
			natt = r.natt
		}
	}
	for _, pn := range []int{port, natt} {
		if pn == 0 {
			f.addNote("a port of 0 in strongswan.conf means charon picks a random one")
		}
		f.addPort("udp", pn)
	}
	f.Skipped = sk.result()
	return []Found{f}
}
