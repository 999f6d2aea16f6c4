package autostart

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/testenv"
)

// trickyPaths are install paths a user could really have, each exercising
// one quoting rule of a format.
var trickyPaths = []string{
	"/usr/bin/traycheck",
	"/home/ann/my apps/traycheck",
	`/opt/a\b/traycheck`,
	"/opt/$HOME/`id`/traycheck",
	"/opt/100%/traycheck",
	`/opt/"quoted" & <tag>/]]>/traycheck`,
	"/opt/ünïcödé/traycheck",
}

// unquoteExec undoes the Desktop Entry string escapes and then the Exec
// quoting of a one-argument Exec value, following the spec independently of
// quoteExecArg.
func unquoteExec(t testing.TB, v string) string {
	t.Helper()
	var s strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
			switch v[i] {
			case 's':
				s.WriteByte(' ')
			case 'n':
				s.WriteByte('\n')
			case 't':
				s.WriteByte('\t')
			case 'r':
				s.WriteByte('\r')
			default:
				s.WriteByte(v[i])
			}
			continue
		}
		s.WriteByte(v[i])
	}
	q := s.String()
	var out strings.Builder
	if strings.HasPrefix(q, `"`) {
		if !strings.HasSuffix(q, `"`) || len(q) < 2 {
			t.Fatalf("unbalanced quotes in %q", q)
		}
		q = q[1 : len(q)-1]
		for i := 0; i < len(q); i++ {
			if q[i] == '\\' && i+1 < len(q) {
				i++
			}
			out.WriteByte(q[i])
		}
	} else {
		out.WriteString(q)
	}
	return strings.ReplaceAll(out.String(), "%%", "%")
}

func TestDesktopEntryIsValid(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("desktop-file-validate is a Linux program with no Windows build; the Linux lane validates these entries (the generator is OS-neutral)")
	}
	validate := testenv.LookPath(t, "desktop-file-validate")
	for _, exe := range trickyPaths {
		b, err := DesktopEntry(exe)
		if err != nil {
			t.Fatalf("%s: %v", exe, err)
		}
		p := filepath.Join(t.TempDir(), "traycheck.desktop")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(validate, p).CombinedOutput(); err != nil || len(out) != 0 {
			t.Errorf("%s: desktop-file-validate: %v\n%s\n%s", exe, err, out, b)
		}
		ours, on, execValue := entryState(b)
		if !ours || !on {
			t.Errorf("%s: entry not recognised as traycheck's and enabled", exe)
		}
		if got := unquoteExec(t, execValue); got != exe {
			t.Errorf("Exec=%s reads back as %q, want %q", execValue, got, exe)
		}
	}
	if _, err := DesktopEntry("traycheck"); err == nil {
		t.Error("a relative path was accepted")
	}
	if _, err := DesktopEntry("/opt/x\n[Other]/traycheck"); err == nil {
		t.Error("a path with a newline was accepted")
	}
}

func FuzzDesktopExec(f *testing.F) {
	for _, p := range trickyPaths {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, exe string) {
		b, err := DesktopEntry(exe)
		if err != nil {
			return
		}
		k := desktopKeys(b)
		if len(k) != 8 || k[markerKey] != "true" {
			t.Fatalf("path %q changed the entry's keys: %q", exe, k)
		}
		if got := unquoteExec(t, k["Exec"]); got != exe {
			t.Fatalf("Exec for %q reads back as %q", exe, got)
		}
	})
}

func TestLaunchAgentRoundTrip(t *testing.T) {
	for _, exe := range trickyPaths {
		b, err := LaunchAgent(exe)
		if err != nil {
			t.Fatal(err)
		}
		if err := xml.Unmarshal(b, new(struct{})); err != nil {
			t.Fatalf("%s: not XML: %v\n%s", exe, err, b)
		}
		ours, prog, err := plistState(b)
		if err != nil || !ours || prog != exe {
			t.Errorf("%s: read back ours=%v program=%q err=%v", exe, ours, prog, err)
		}
		if !strings.Contains(string(b), "<key>RunAtLoad</key>\n\t<true/>") {
			t.Errorf("%s: no RunAtLoad", exe)
		}
	}
	user := []byte(`<?xml version="1.0"?><plist version="1.0"><dict><key>Label</key><string>x</string>` +
		`<key>ProgramArguments</key><array><string>/usr/local/bin/traycheck</string></array></dict></plist>`)
	if ours, prog, err := plistState(user); ours || prog != "/usr/local/bin/traycheck" || err != nil {
		t.Errorf("user's plist: ours=%v program=%q err=%v", ours, prog, err)
	}
}

func TestRunValue(t *testing.T) {
	v, err := RunValue(`C:\Program Files\traycheck\traycheck.exe`)
	if err != nil || v != `"C:\Program Files\traycheck\traycheck.exe"` {
		t.Fatalf("RunValue = %q, %v", v, err)
	}
	for data, want := range map[string]bool{
		v:                                  true,
		`"C:\Users\ann\bin\TrayCheck.EXE"`: true,
		`C:\Program Files\traycheck\traycheck.exe`: false, // unquoted: the user's
		`"C:\tools\other.exe"`:                     false,
		`"C:\x\traycheck.exe" --flag`:              false,
		`"traycheck.exe"`:                          false,
	} {
		if got := runValueIsOurs(data); got != want {
			t.Errorf("runValueIsOurs(%s) = %v, want %v", data, got, want)
		}
	}
	if _, err := RunValue(`C:\a"b\traycheck.exe`); err == nil {
		t.Error("a path with a quote was accepted")
	}
}

// TestGeneratorsJudgePathsByTargetOS: each generator applies the path rules
// of the OS its entry is for, whatever OS runs it. A LaunchAgent for
// /usr/local/bin/traycheck is valid when built on Windows, and a Run value
// for C:\... is valid when built on Linux; the other OS's paths are refused.
func TestGeneratorsJudgePathsByTargetOS(t *testing.T) {
	unix := func(exe string) error { _, err := DesktopEntry(exe); return err }
	mac := func(exe string) error { _, err := LaunchAgent(exe); return err }
	win := func(exe string) error { _, err := RunValue(exe); return err }
	for _, c := range []struct {
		name string
		gen  func(string) error
		exe  string
		ok   bool
	}{
		{"desktop unix", unix, "/usr/bin/traycheck", true},
		{"desktop drive", unix, `C:\Program Files\traycheck\traycheck.exe`, false},
		{"desktop relative", unix, "bin/traycheck", false},
		{"plist unix", mac, "/Applications/traycheck.app/Contents/MacOS/traycheck", true},
		{"plist drive", mac, `C:\traycheck.exe`, false},
		{"run drive", win, `C:\Program Files\traycheck\traycheck.exe`, true},
		{"run drive slash", win, `d:/tools/traycheck.exe`, true},
		{"run unc", win, `\\server\share\traycheck.exe`, true},
		{"run unc no share", win, `\\server`, false},
		{"run unix", win, "/usr/bin/traycheck", false},
		{"run drive relative", win, `C:traycheck.exe`, false},
		{"run rooted no drive", win, `\traycheck.exe`, false},
	} {
		if err := c.gen(c.exe); (err == nil) != c.ok {
			t.Errorf("%s: %q: err %v, want ok=%v", c.name, c.exe, err, c.ok)
		}
	}
}
