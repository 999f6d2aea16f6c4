package reload

import (
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// Bounds of a directory's walk: discovery's own (depth 4), and a cap on
// the directories stamped, so ~/.config costs a few hundred stats a poll.
const (
	maxDepth = 4
	maxDirs  = 512
)

// poller fingerprints files and directories cheaply: each file's size, mode
// and modification time, and for a directory the modification time of it
// and of its subdirectories (a file created, removed or renamed in a
// directory changes that directory's time). Files inside directories are
// not stamped one by one: the ones that matter (discovered profiles, the
// config, the policy) are listed as files themselves. A path that does not
// exist is stamped as absent, so its appearing is a change.
//
// It remembers each directory's subdirectories and reads a directory again
// only when its time changed, so an idle poll is one stat per path.
type poller struct {
	dirs map[string]dirState
}

type dirState struct {
	mod  int64
	subs []string
}

func (p *poller) stamp(files, roots []string) uint64 {
	if p.dirs == nil {
		p.dirs = map[string]dirState{}
	}
	h := fnv.New64a()
	add := func(path string, fi fs.FileInfo, err error) {
		h.Write([]byte(path))
		if err != nil {
			h.Write([]byte{0})
			return
		}
		h.Write([]byte(strconv.FormatInt(fi.ModTime().UnixNano(), 36) + "/" + strconv.FormatInt(fi.Size(), 36) + "/" + fi.Mode().String()))
	}
	for _, f := range files {
		fi, err := os.Stat(f)
		add(f, fi, err)
	}
	seen := map[string]bool{}
	n := 0
	var visit func(dir string, depth int, stat func(string) (fs.FileInfo, error))
	visit = func(dir string, depth int, stat func(string) (fs.FileInfo, error)) {
		if n >= maxDirs || seen[dir] {
			return
		}
		n++
		fi, err := stat(dir)
		add(dir, fi, err)
		if err != nil || !fi.IsDir() {
			return
		}
		seen[dir] = true
		st, ok := p.dirs[dir]
		if mod := fi.ModTime().UnixNano(); !ok || st.mod != mod {
			st = dirState{mod: mod, subs: subdirs(dir)}
			p.dirs[dir] = st
		}
		if depth+1 >= maxDepth {
			return
		}
		for _, s := range st.subs {
			// Links to directories are not followed below a root, as
			// discovery's walk does not: a loop cannot trap the poll.
			visit(s, depth+1, os.Lstat)
		}
	}
	for _, r := range roots {
		visit(r, 0, os.Stat)
	}
	for d := range p.dirs {
		if !seen[d] {
			delete(p.dirs, d)
		}
	}
	return h.Sum64()
}

// subdirs lists dir's subdirectories (not links to them).
func subdirs(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// stringHash folds a stamp given as text (the registry policy's) into the
// files' stamp.
func stringHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}
