package discover

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/safefile"
)

// countOpens makes b count the files it opens, by name.
func countOpens(b *budget) map[string]int {
	n := map[string]int{}
	b.open = func(path string, max int64, nofollow bool) (*os.File, fs.FileInfo, error) {
		n[path]++
		return safefile.OpenBounded(path, max, nofollow)
	}
	return n
}

func write(t testing.TB, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func skipText(f Found) string {
	var s []string
	for _, k := range f.Skipped {
		s = append(s, k.String())
	}
	return strings.Join(s, "\n")
}

// `Include config config config` made discovery read the file 3^16 times.
func TestSSHSelfIncludeFanOutReadsOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	write(t, cfg, "Include config config config\nLocalForward 2100 h:1\nHost a\n  Include config\n")
	b := newBudget()
	opens := countOpens(b)
	f, ok := sshConfigFile(cfg, b)
	if !ok || strings.Join(f.Ports, ",") != "tcp/2100" {
		t.Fatalf("got %+v", f)
	}
	if opens[cfg] != 1 || len(opens) != 1 {
		t.Errorf("opened %v, want the config once", opens)
	}
	if s := skipText(f); !strings.Contains(s, "config:1: Include "+cfg+": already read") || !strings.Contains(s, "config:4:") {
		t.Errorf("skipped:\n%s", s)
	}
}

// A chain of distinct files is read as deep as ssh reads it (16 Includes
// below the config), and the Include past that is named.
func TestSSHIncludeDepth(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i := 0; i < 20; i++ {
		write(t, filepath.Join(dir, fmt.Sprint("f", i)), fmt.Sprintf("LocalForward %d h:1\nInclude f%d\n", 3000+i, i+1))
	}
	f, ok := sshConfigFile(filepath.Join(dir, "f0"), newBudget())
	if !ok || len(f.Ports) != 17 || f.Ports[16] != "tcp/3016" {
		t.Fatalf("ports %v", f.Ports)
	}
	if s := skipText(f); !strings.Contains(s, "f16:2: Include nested deeper than 16") {
		t.Errorf("skipped:\n%s", s)
	}
}

func TestSSHGlobIsCapped(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i := 0; i < 100; i++ {
		write(t, filepath.Join(dir, "conf.d", fmt.Sprintf("h%03d", i)), fmt.Sprintf("LocalForward %d h:1\n", 4000+i))
	}
	write(t, filepath.Join(dir, "config"), "Include conf.d/*\n")
	b := newBudget()
	opens := countOpens(b)
	f, ok := sshConfigFile(filepath.Join(dir, "config"), b)
	if !ok || len(f.Ports) != maxGlobFiles || len(opens) != maxGlobFiles+1 {
		t.Fatalf("%d ports, %d files opened", len(f.Ports), len(opens))
	}
	if s := skipText(f); !strings.Contains(s, "config:1: include "+filepath.Join(dir, "conf.d", "*")+" matched 100 files: read the first 64, skipped 36 (h064 … h099)") {
		t.Errorf("skipped:\n%s", s)
	}
}

// A 200 KiB line is an error naming its line, and what follows it is read.
func TestLongLineHidesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	long := "# " + strings.Repeat("x", 200<<10) + "\n"
	write(t, filepath.Join(dir, "config"), "LocalForward 2200 h:1\n"+long+"LocalForward 2201 h:1\n"+long+long+"DynamicForward 2202\n")
	f, ok := sshConfigFile(filepath.Join(dir, "config"), newBudget())
	if !ok || strings.Join(f.Ports, ",") != "tcp/2200,tcp/2201,tcp/2202" {
		t.Fatalf("got %+v", f)
	}
	want := []string{"config:2: line longer than 64 KiB", "config:4: line longer", "config:5: line longer"}
	for _, w := range want {
		if !strings.Contains(skipText(f), w) {
			t.Errorf("skipped does not say %q:\n%s", w, skipText(f))
		}
	}
	write(t, filepath.Join(dir, "wg", "wg0.conf"), "[Interface]\nPrivateKey = "+strings.Repeat("k", 100<<10)+"\nListenPort = 51000\n")
	got := wireGuardDir(newBudget(), filepath.Join(dir, "wg"))
	if len(got) != 1 || strings.Join(got[0].Ports, ",") != "udp/51000" || !strings.Contains(skipText(got[0]), "wg0.conf:2: line longer") {
		t.Errorf("wireguard: %+v", got)
	}
	write(t, filepath.Join(dir, "vpn", "a.ovpn"), "client\n"+long+"port 1300\n")
	got = openVPNFiles(newBudget(), filepath.Join(dir, "vpn"), ".ovpn")
	if len(got) != 1 || strings.Join(got[0].Ports, ",") != "udp/1300" || !strings.Contains(skipText(got[0]), "a.ovpn:2: line longer") {
		t.Errorf("openvpn: %+v", got)
	}
}

func TestLineReader(t *testing.T) {
	t.Parallel()
	in := "a\r\n\n" + strings.Repeat("y", maxLineLen) + "\n" + strings.Repeat("z", maxLineLen+1) + "\nlast"
	lr := newLineReader(strings.NewReader(in))
	var got []string
	for {
		l, ok := lr.next()
		if !ok {
			break
		}
		got = append(got, fmt.Sprintf("%d:%d", lr.n, len(l)))
	}
	if strings.Join(got, " ") != fmt.Sprintf("1:1 2:0 3:%d 5:4", maxLineLen) || !slices.Equal(lr.long, []int{4}) {
		t.Errorf("got %v, long %v", got, lr.long)
	}
}

// Over the budget of files: what was found is kept, the rest named.
func TestBudgetOfFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var inc []string
	for d := 0; d < 5; d++ {
		for i := 0; i < 60; i++ {
			write(t, filepath.Join(dir, fmt.Sprint("d", d), fmt.Sprintf("h%02d", i)), fmt.Sprintf("LocalForward %d h:1\n", 5000+d*100+i))
		}
		inc = append(inc, fmt.Sprintf("Include d%d/*", d))
	}
	write(t, filepath.Join(dir, "config"), strings.Join(inc, "\n")+"\n")
	f, ok := sshConfigFile(filepath.Join(dir, "config"), newBudget())
	if !ok || len(f.Ports) != budgetFiles-1 {
		t.Fatalf("%d ports", len(f.Ports))
	}
	if s := skipText(f); !strings.Contains(s, "config:5: Include "+filepath.Join(dir, "d4", "h15")+": not read: this discovery read 256 files already") {
		t.Errorf("skipped:\n%s", s)
	}
}

func TestBudgetOfBytes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := strings.Repeat("# padding\n", 90_000) // 900 KB each
	for i := 0; i < 12; i++ {
		write(t, filepath.Join(dir, "vpn", fmt.Sprintf("p%02d.ovpn", i)), big+fmt.Sprintf("port %d\n", 1200+i))
	}
	got := Discover(t.Context(), Sources{OpenVPNImported: []string{filepath.Join(dir, "vpn")}})
	var ports []string
	for _, f := range got {
		ports = append(ports, f.Ports...)
	}
	last := got[len(got)-1]
	if len(ports) != 9 || last.Name != "OpenVPN profiles in "+filepath.Join(dir, "vpn") ||
		!strings.Contains(skipText(last), "p09.ovpn: not read: this discovery read 8388608 bytes already") ||
		!strings.Contains(skipText(last), "2 more profiles not read") {
		t.Errorf("ports %v, last %+v", ports, last)
	}
}

func TestOpenVPNConfigDirective(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.conf"), "client\nconfig common/b.conf\nconfig a.conf\n")
	write(t, filepath.Join(dir, "common", "b.conf"), "port 1400\nconfig ../a.conf\nconfig "+filepath.Join(dir, "absent")+"\n")
	b := newBudget()
	opens := countOpens(b)
	got := openVPNFiles(b, filepath.Join(dir, "a.conf"), ".conf")
	if len(got) != 1 || strings.Join(got[0].Ports, ",") != "udp/1400" {
		t.Fatalf("got %+v", got)
	}
	s := skipText(got[0])
	for _, w := range []string{"a.conf:3: config " + filepath.Join(dir, "a.conf") + ": already read", "b.conf:2: config " + filepath.Join(dir, "a.conf") + ": already read", "b.conf:3: config " + filepath.Join(dir, "absent")} {
		if !strings.Contains(s, w) {
			t.Errorf("skipped does not say %q:\n%s", w, s)
		}
	}
	for p, n := range opens {
		if n > 1 {
			t.Errorf("%s opened %d times", p, n)
		}
	}
}

// A profile directory is searched within bounds: a directory with more
// entries than the bound is cut short, and the cut is named.
func TestProfileWalkIsBounded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a", "b", "c", "deep.ovpn"), "port 1701\n")
	write(t, filepath.Join(dir, "a", "b", "c", "d", "deeper.ovpn"), "port 1702\n")
	for i := 0; i < 300; i++ {
		write(t, filepath.Join(dir, "z", fmt.Sprintf("p%03d.ovpn", i)), "")
	}
	got, skipped := findFiles(dir, ".ovpn")
	if len(got) != maxWalkFiles || got[0] != filepath.Join(dir, "a", "b", "c", "deep.ovpn") ||
		len(skipped) != 1 || !strings.Contains(skipped[0].Why, "more than 256 profiles: "+filepath.Join(dir, "z", "p255.ovpn")) {
		t.Errorf("%d files, first %v, skipped %v", len(got), got[:1], skipped)
	}
}

func TestReadDirBounded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i := 0; i < 10; i++ {
		write(t, filepath.Join(dir, fmt.Sprint("f", i)), "")
	}
	left := 4
	ents, cut := readDirBounded(dir, &left)
	if len(ents) != 4 || !cut || left != 0 {
		t.Errorf("%d entries, cut %v, left %d", len(ents), cut, left)
	}
	left = 10
	if ents, cut := readDirBounded(dir, &left); len(ents) != 10 || cut {
		t.Errorf("whole directory: %d entries, cut %v", len(ents), cut)
	}
}

// OpenVPN itself reads 10 files down a chain of `config` directives
// ("In f9:1: Maximum recursive include levels exceeded in include attempt
// of file f10"): discovery reads as many, and names the same directive.
func TestOpenVPNConfigNesting(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i := 0; i < 15; i++ {
		write(t, filepath.Join(dir, fmt.Sprint("f", i)), fmt.Sprintf("port %d\nconfig f%d\n", 1700+i, i+1))
	}
	got := openVPNFiles(newBudget(), filepath.Join(dir, "f0"))
	if len(got) != 1 || strings.Join(got[0].Ports, ",") != "udp/1709" {
		t.Fatalf("got %+v", got)
	}
	if s := skipText(got[0]); !strings.Contains(s, "f9:2: config f10 nested deeper than 10") {
		t.Errorf("skipped:\n%s", s)
	}
}
