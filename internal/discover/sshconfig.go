package discover

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/traycheck/traycheck/internal/portnum"
)

// sshForward is one LocalForward or DynamicForward: the local TCP port it
// listens on and the Host (or Match) block it belongs to.
type sshForward struct {
	block string // "Host db-*", or "" for the top of the file
	port  uint16
}

// sshReader reads an ssh client config the way OpenSSH does: keywords are
// case-insensitive, "keyword value" or "keyword=value", Include patterns are
// globs relative to ~/.ssh and are read in place (also inside a Host block,
// whose condition then covers them), nested at most 16 deep as in ssh. Unlike
// ssh it reads each file once, expands a glob to at most maxGlobFiles files
// and stays within the discovery's budget; what it leaves out is in skipped.
type sshReader struct {
	sshDir   string
	b        *budget
	read     func(path string) ([]byte, error)
	forwards []sshForward
	files    []string
	skipped  skips
}

func newSSHReader(path string, b *budget) *sshReader {
	return &sshReader{sshDir: filepath.Dir(path), b: b, read: b.read}
}

func (s *sshReader) file(path, block string, depth int) error {
	b, err := s.read(path)
	if err != nil {
		return err
	}
	s.files = append(s.files, path)
	return s.parse(bytes.NewReader(b), path, block, depth)
}

func (s *sshReader) parse(r io.Reader, path, block string, depth int) error {
	lr := newLineReader(r)
	for {
		line, ok := lr.next()
		if !ok {
			break
		}
		key, args := sshSplit(line)
		switch key {
		case "host", "match":
			if key == "host" {
				block = "Host " + strings.Join(args, " ")
			} else {
				block = "Match " + strings.Join(args, " ")
			}
		case "include":
			where := at(path, lr.n)
			if depth >= maxIncludeNest {
				s.skipped.add(where, fmt.Sprintf("Include nested deeper than %d (ssh's own limit): not read", maxIncludeNest))
				continue
			}
			for _, pat := range args {
				if !filepath.IsAbs(pat) && !strings.HasPrefix(pat, "~") {
					pat = filepath.Join(s.sshDir, pat)
				}
				if strings.HasPrefix(pat, "~/") {
					pat = filepath.Join(filepath.Dir(s.sshDir), pat[2:])
				}
				for _, m := range s.b.expand(pat, where, &s.skipped) {
					// An unreadable include is skipped, as ssh does, but
					// the user is told.
					if err := s.file(m, block, depth+1); err != nil {
						s.skipped.add(where, "Include "+m+": "+why(err))
					}
				}
			}
		case "localforward", "dynamicforward":
			if len(args) == 0 {
				continue
			}
			if p, ok := sshListenPort(args[0]); ok {
				s.forwards = append(s.forwards, sshForward{block: block, port: p})
			}
		}
	}
	s.skipped.longLines(path, lr)
	return lr.err
}

// sshSplit splits a config line into its lowercased keyword and arguments,
// honouring "keyword=value" and double quotes; comments and blanks give "".
func sshSplit(line string) (string, []string) {
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' {
		return "", nil
	}
	i := strings.IndexAny(line, " \t=")
	if i < 0 {
		return strings.ToLower(line), nil
	}
	key := strings.ToLower(line[:i])
	rest := strings.TrimLeft(line[i:], " \t")
	rest = strings.TrimLeft(strings.TrimPrefix(rest, "="), " \t")
	var args []string
	for rest != "" {
		if rest[0] == '"' {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				args = append(args, rest[1:])
				break
			}
			args = append(args, rest[1:end+1])
			rest = strings.TrimLeft(rest[end+2:], " \t")
			continue
		}
		j := strings.IndexAny(rest, " \t")
		if j < 0 {
			args = append(args, rest)
			break
		}
		args = append(args, rest[:j])
		rest = strings.TrimLeft(rest[j:], " \t")
	}
	return key, args
}

// sshListenPort reads the local side of a forward: "8080", "127.0.0.1:8080",
// "[::1]:8080", "*:8080"; a Unix socket path (contains "/") has no port.
// Port 0 (ssh picks one) is no port to watch.
func sshListenPort(s string) (uint16, bool) {
	if strings.Contains(s, "/") {
		return 0, false
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[i+1:]
	}
	n, err := portnum.Parse(s)
	return n, err == nil
}

// sshConfigFile reads path and its Includes; false when it does not exist.
// A config that forwards nothing but left something unread is reported, so
// the skip is not silent.
func sshConfigFile(path string, b *budget) (Found, bool) {
	s := newSSHReader(path, b)
	f := Found{Source: path, Kind: KindSSH, Name: "ssh forwards", Clients: []string{"ssh"}}
	if err := s.file(path, "", 0); err != nil {
		if len(s.files) == 0 && isNotExist(err) {
			return Found{}, false
		}
		f.addNote(why(err))
	}
	f.Skipped = s.skipped.result()
	if len(s.forwards) == 0 && len(f.Skipped) == 0 && f.Note == "" {
		return Found{}, false
	}
	var blocks []string
	for _, fw := range s.forwards {
		f.addPort("tcp", int(fw.port))
		if !slices.Contains(f.ForwardPorts, fw.port) {
			f.ForwardPorts = append(f.ForwardPorts, fw.port)
		}
		if fw.block != "" && !slices.Contains(blocks, fw.block) {
			blocks = append(blocks, fw.block)
		}
	}
	if len(blocks) > 0 {
		f.Name = "ssh forwards of " + strings.Join(blocks, ", ")
	}
	if len(s.files) > 1 {
		files := s.files[1:]
		more := ""
		if len(files) > 8 {
			more = fmt.Sprintf(" and %d more", len(files)-8)
			files = files[:8]
		}
		f.addNote("read with its Includes: " + strings.Join(files, ", ") + more)
	}
	return f, true
}
