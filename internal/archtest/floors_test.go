//go:build !windows

// The Windows lane runs test binaries under Wine, without a Go toolchain to
// ask; the imports of the Windows files are checked from here, with
// GOOS=windows.

package archtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const (
	module  = "github.com/traycheck/traycheck/"
	docPath = "docs/architecture.md"
	// testOnly is the floor of test support: imported by tests only.
	testOnly = -1
)

// floorRow is one package of the floors table.
type floorRow struct {
	floor   int
	planned bool // may be absent: another change is adding it
}

var pkgCell = regexp.MustCompile("`([a-z0-9_./-]+)`( \\*\\(planned\\)\\*)?")

// parseFloors reads the table under "## Floors": a row is "| floor |
// packages | what |", the floor a number or "test", the packages in
// backquotes, each optionally followed by *(planned)*.
func parseFloors(r io.Reader) (map[string]floorRow, error) {
	rows := map[string]floorRow{}
	sc := bufio.NewScanner(r)
	in := false
	line := 0
	for sc.Scan() {
		line++
		l := sc.Text()
		if strings.HasPrefix(l, "## ") {
			in = l == "## Floors"
			continue
		}
		if !in || !strings.HasPrefix(l, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(l, "|"), "|")
		if len(cells) < 3 {
			return nil, fmt.Errorf("%s:%d: want | floor | packages | what |", docPath, line)
		}
		f := strings.TrimSpace(cells[0])
		var floor int
		switch {
		case f == "floor" || strings.Trim(f, "-") == "":
			continue // the header and its rule
		case f == "test":
			floor = testOnly
		default:
			n, err := strconv.Atoi(f)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: floor %q is not a number or \"test\"", docPath, line, f)
			}
			floor = n
		}
		ms := pkgCell.FindAllStringSubmatch(cells[1], -1)
		if len(ms) == 0 {
			return nil, fmt.Errorf("%s:%d: floor %s lists no `package`", docPath, line, f)
		}
		for _, m := range ms {
			if _, dup := rows[m[1]]; dup {
				return nil, fmt.Errorf("%s:%d: %s is listed twice", docPath, line, m[1])
			}
			rows[m[1]] = floorRow{floor: floor, planned: m[2] != ""}
		}
	}
	return rows, sc.Err()
}

// pkg is one package of the module (path relative to it) and the module
// packages its non-test files import, on some OS.
type pkg struct {
	path    string
	imports []string
}

// violations checks the import graph against the floors: every package is
// in the table, every import runs to a lower floor, test support is
// imported by nothing but tests, and every listed package exists unless it
// is planned.
func violations(floors map[string]floorRow, pkgs map[string][]string) []string {
	var out []string
	paths := make([]string, 0, len(pkgs))
	for p := range pkgs {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		row, ok := floors[p]
		if !ok {
			want := 0
			for _, imp := range pkgs[p] {
				if r, ok := floors[imp]; ok && r.floor+1 > want {
					want = r.floor + 1
				}
			}
			out = append(out, fmt.Sprintf("%s is not in %s: add it to the floors table, on floor %d or higher (it imports %s)",
				p, docPath, want, orNothing(pkgs[p])))
			continue
		}
		for _, imp := range pkgs[p] {
			to, ok := floors[imp]
			switch {
			case !ok:
				// Reported as a missing package above or below.
			case to.floor == testOnly && row.floor != testOnly:
				out = append(out, fmt.Sprintf("%s imports %s, which is test support: only tests may import it", p, imp))
			case row.floor == testOnly:
			case to.floor >= row.floor:
				out = append(out, fmt.Sprintf("%s (floor %d) imports %s (floor %d): imports must run down; move one of them in %s or drop the import",
					p, row.floor, imp, to.floor, docPath))
			}
		}
	}
	listed := make([]string, 0, len(floors))
	for p := range floors {
		listed = append(listed, p)
	}
	slices.Sort(listed)
	for _, p := range listed {
		if _, ok := pkgs[p]; !ok && !floors[p].planned {
			out = append(out, fmt.Sprintf("%s lists %s, which is no package of the module: remove it (or mark it *(planned)*)", docPath, p))
		}
	}
	return out
}

func orNothing(ss []string) string {
	if len(ss) == 0 {
		return "nothing of the module"
	}
	return strings.Join(ss, ", ")
}

// goList returns the module's packages and their non-test imports of
// module packages for one OS.
func goList(t *testing.T, root, goos string) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports,Error", "./...")
	cmd.Dir = root
	arch := "amd64"
	if goos == "darwin" {
		arch = "arm64"
	}
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+arch, "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list for %s: %v\n%s", goos, err, stderr.String())
	}
	pkgs := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
			Error      *struct{ Err string }
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("go list for %s: %v", goos, err)
		}
		if p.Error != nil {
			t.Fatalf("go list for %s: %s: %s", goos, p.ImportPath, p.Error.Err)
		}
		var imps []string
		for _, imp := range p.Imports {
			if rel, ok := strings.CutPrefix(imp, module); ok {
				imps = append(imps, rel)
			}
		}
		pkgs[strings.TrimPrefix(p.ImportPath, module)] = imps
	}
	return pkgs
}

// TestFloors holds the code to the floors table of docs/architecture.md,
// for the files of linux, windows and darwin.
func TestFloors(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatalf("the architecture test asks the go command for the import graph: %v", err)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(root, docPath))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	floors, err := parseFloors(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(floors) < 30 {
		t.Fatalf("%s lists %d packages; the table was not read", docPath, len(floors))
	}
	all := map[string][]string{}
	for _, goos := range []string{"linux", "windows", "darwin"} {
		for p, imps := range goList(t, root, goos) {
			for _, imp := range imps {
				if !slices.Contains(all[p], imp) {
					all[p] = append(all[p], imp)
				}
			}
			if _, ok := all[p]; !ok {
				all[p] = nil
			}
		}
	}
	for _, v := range violations(floors, all) {
		t.Error(v)
	}
	for p, r := range floors {
		if _, ok := all[p]; ok && r.planned {
			t.Logf("%s exists now: drop its *(planned)* mark in %s", p, docPath)
		}
	}
}

// TestViolationsCatchesDrift: the checker itself finds an upward import,
// a sideways one, a package the table lacks, a listed package that does
// not exist, and test support imported by code.
func TestViolationsCatchesDrift(t *testing.T) {
	const doc = "# x\n## Floors\n| floor | packages | what |\n|---|---|---|\n" +
		"| 2 | `internal/monitor` | loop |\n" +
		"| 1 | `internal/diagnose`, `internal/config`, `internal/ras` *(planned)*, `internal/gone` | judge |\n" +
		"| 0 | `internal/safetext` | ground |\n" +
		"| test | `internal/testenv` | tests |\n## Next\n| 9 | `internal/ignored` | x |\n"
	floors, err := parseFloors(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(floors) != 7 || !floors["internal/ras"].planned || floors["internal/testenv"].floor != testOnly {
		t.Fatalf("parsed %+v", floors)
	}
	clean := map[string][]string{
		"internal/monitor":  {"internal/diagnose", "internal/safetext"},
		"internal/diagnose": {"internal/safetext"},
		"internal/config":   nil, "internal/safetext": nil, "internal/gone": nil,
		"internal/testenv": {"internal/monitor"},
	}
	if v := violations(floors, clean); len(v) != 0 {
		t.Fatalf("a clean graph: %q", v)
	}
	bad := map[string][]string{
		"internal/monitor":  {"internal/testenv"},
		"internal/diagnose": {"internal/monitor", "internal/config"},
		"internal/config":   nil, "internal/safetext": nil, "internal/testenv": nil,
		"internal/newpkg": {"internal/monitor"},
	}
	got := strings.Join(violations(floors, bad), "\n")
	for _, want := range []string{
		"internal/monitor imports internal/testenv, which is test support",
		"internal/diagnose (floor 1) imports internal/monitor (floor 2)",
		"internal/diagnose (floor 1) imports internal/config (floor 1)",
		"internal/newpkg is not in docs/architecture.md: add it to the floors table, on floor 3 or higher",
		"lists internal/gone, which is no package",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("violations lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "internal/ras") {
		t.Errorf("a planned package was reported:\n%s", got)
	}
	if _, err := parseFloors(strings.NewReader("## Floors\n| up | `x` | y |\n")); err == nil {
		t.Error("a floor that is no number was accepted")
	}
}
