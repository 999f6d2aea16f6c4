package discover

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// sshMaxDepth is OpenSSH's own limit on nested Includes (READCONF_MAX_DEPTH).
const sshMaxDepth = 16

// sshForward is one LocalForward or DynamicForward: the local TCP port it
// listens on and the Host (or Match) block it belongs to.
type sshForward struct {
	block string // "Host db-*", or "" for the top of the file
	port  int
	line  string // the directive as written, for the note
}

// sshReader reads an ssh client config the way OpenSSH does: keywords are
// case-insensitive, "keyword value" or "keyword=value", Include patterns are
// globs relative to ~/.ssh and are read in place (also inside a Host block,
// whose condition then covers them).
type sshReader struct {
	sshDir   string
	read     func(path string) ([]byte, error)
	glob     func(pattern string) ([]string, error)
	forwards []sshForward
	files    []string
	problems []string // nested includes that could not be read whole
}

func (s *sshReader) file(path, block string, depth int) error {
	if depth > sshMaxDepth {
		return fmt.Errorf("%s: Include nested deeper than %d", path, sshMaxDepth)
	}
	b, err := s.read(path)
	if err != nil {
		return err
	}
	s.files = append(s.files, path)
	return s.parse(bytes.NewReader(b), path, block, depth)
}

func (s *sshReader) parse(r io.Reader, path, block string, depth int) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, args := sshSplit(sc.Text())
		switch key {
		case "host", "match":
			if key == "host" {
				block = "Host " + strings.Join(args, " ")
			} else {
				block = "Match " + strings.Join(args, " ")
			}
		case "include":
			for _, pat := range args {
				if !filepath.IsAbs(pat) && !strings.HasPrefix(pat, "~") {
					pat = filepath.Join(s.sshDir, pat)
				}
				if strings.HasPrefix(pat, "~/") {
					pat = filepath.Join(filepath.Dir(s.sshDir), pat[2:])
				}
				matches, err := s.glob(pat)
				if err != nil {
					return fmt.Errorf("%s: Include %q: %w", path, pat, err)
				}
				slices.Sort(matches)
				for _, m := range matches {
					// An unreadable include is skipped, as ssh does, but
					// the user is told.
					if err := s.file(m, block, depth+1); err != nil && !slices.Contains(s.problems, err.Error()) {
						s.problems = append(s.problems, err.Error())
					}
				}
			}
		case "localforward", "dynamicforward":
			if len(args) == 0 {
				continue
			}
			if p := sshListenPort(args[0]); p > 0 {
				s.forwards = append(s.forwards, sshForward{block: block, port: p, line: strings.TrimSpace(sc.Text())})
			}
		}
	}
	return sc.Err()
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
func sshListenPort(s string) int {
	if strings.Contains(s, "/") {
		return 0
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[i+1:]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0
	}
	return n
}

// sshConfigFile reads path and its Includes; false when it does not exist.
func sshConfigFile(path string) (Found, bool) {
	s := &sshReader{sshDir: filepath.Dir(path), read: readSource, glob: filepath.Glob}
	f := Found{Source: path, Kind: KindSSH, Name: "ssh forwards", Clients: []string{"ssh"}}
	if err := s.file(path, "", 0); err != nil {
		if len(s.files) == 0 && isNotExist(err) {
			return Found{}, false
		}
		f.addNote(err.Error())
	}
	if len(s.forwards) == 0 {
		return Found{}, false
	}
	var blocks []string
	for _, fw := range s.forwards {
		f.addPort("tcp", fw.port)
		if !slices.Contains(f.ForwardPorts, uint16(fw.port)) {
			f.ForwardPorts = append(f.ForwardPorts, uint16(fw.port))
		}
		if fw.block != "" && !slices.Contains(blocks, fw.block) {
			blocks = append(blocks, fw.block)
		}
	}
	if len(blocks) > 0 {
		f.Name = "ssh forwards of " + strings.Join(blocks, ", ")
	}
	if files := slices.Compact(slices.Clone(s.files[1:])); len(files) > 0 {
		f.addNote("read with its Includes: " + strings.Join(files, ", "))
	}
	for _, p := range s.problems {
		f.addNote(p)
	}
	return f, true
}
