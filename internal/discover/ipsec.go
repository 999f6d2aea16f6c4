package discover

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// IKE's well-known ports, which charon binds unless strongswan.conf says
// otherwise.
const (
	ikePort     = 500
	ikeNATTPort = 4500
)

// swanReader reads charon's port and port_nat_t from strongswan.conf syntax:
// nested "name { key = value }" sections and "include GLOB" lines, which are
// read in place inside the section they stand in (relative to the including
// file's directory). Only the charon and charon-systemd sections count:
// charon-nm binds random ports, as NetworkManager discovery says. A value of
// 0 means "a random port"; -1 means not set.
type swanReader struct {
	read       func(string) ([]byte, error)
	glob       func(string) ([]string, error)
	port, natt int
	files      []string
}

func newSwanReader() *swanReader {
	return &swanReader{read: readSource, glob: filepath.Glob, port: -1, natt: -1}
}

func (s *swanReader) file(path string, stack []string, depth int) error {
	if depth > sshMaxDepth {
		return fmt.Errorf("%s: include nested deeper than %d", path, sshMaxDepth)
	}
	b, err := s.read(path)
	if err != nil {
		return err
	}
	s.files = append(s.files, path)
	_, err = s.parse(bytes.NewReader(b), filepath.Dir(path), stack, depth)
	return err
}

func (s *swanReader) parse(r io.Reader, dir string, stack []string, depth int) ([]string, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasSuffix(line, "{"):
			stack = append(stack, strings.TrimSpace(strings.TrimSuffix(line, "{")))
		case line == "}":
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case strings.HasPrefix(line, "include ") || strings.HasPrefix(line, "include\t"):
			pat := strings.TrimSpace(line[len("include"):])
			if !filepath.IsAbs(pat) {
				pat = filepath.Join(dir, pat)
			}
			matches, _ := s.glob(pat)
			slices.Sort(matches)
			for _, m := range matches {
				s.file(m, slices.Clone(stack), depth+1) // an unreadable include is skipped, as charon does
			}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || len(stack) != 1 || (stack[0] != "charon" && stack[0] != "charon-systemd") {
				continue
			}
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				continue
			}
			switch strings.TrimSpace(k) {
			case "port":
				s.port = n
			case "port_nat_t":
				s.natt = n
			}
		}
	}
	return stack, sc.Err()
}

// ipsecFiles reports one IPsec stack when any of its configuration files
// exists, with the ports strongswan.conf gives (IKE's defaults otherwise).
func ipsecFiles(confs, presence []string) []Found {
	f := Found{Kind: KindIPsec, Name: "IPsec (strongSwan/libreswan)",
		Clients: []string{"charon", "charon-systemd", "starter", "pluto"}}
	port, natt := ikePort, ikeNATTPort
	found := false
	for _, c := range confs {
		r := newSwanReader()
		if err := r.file(c, nil, 0); err != nil {
			if !isNotExist(err) {
				f.addNote(c + " " + unreadableNote(err))
			}
			continue
		}
		if r.port >= 0 || r.natt >= 0 {
			found = true
			f.Source = c
		}
		if r.port >= 0 {
			port = r.port
		}
		if r.natt >= 0 {
			natt = r.natt
		}
	}
	for _, p := range presence {
		if _, err := os.Stat(p); err == nil {
			found = true
			if f.Source == "" {
				f.Source = p
			}
		}
	}
	if !found {
		return nil
	}
	for _, pn := range []int{port, natt} {
		if pn == 0 {
			f.addNote("a port of 0 in strongswan.conf means charon picks a random one")
		}
		f.addPort("udp", pn)
	}
	return []Found{f}
}
