package autostart

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The generators and readers below are OS-neutral so each OS's entry is
// tested on every OS.

// markerKey is written into every entry traycheck creates; Disable removes
// an entry only when it carries it, never one the user wrote.
const markerKey = "X-Traycheck-Managed"

// LaunchAgentLabel is the launchd label and plist name on macOS.
const LaunchAgentLabel = "com.github.traycheck"

// RunValueName is the value name under HKCU\...\CurrentVersion\Run.
const RunValueName = "traycheck"

// checkExe judges exe by the rules of the OS the entry is for (isAbs), not
// of the OS that runs traycheck: the generators are OS-neutral, and
// "/usr/bin/traycheck" is absolute for a LaunchAgent even when the code runs
// on Windows, where filepath.IsAbs says it is not.
func checkExe(exe string, isAbs func(string) bool) error {
	if !isAbs(exe) {
		return fmt.Errorf("autostart needs an absolute path, got %q", exe)
	}
	if !utf8.ValidString(exe) || strings.IndexFunc(exe, unicode.IsControl) >= 0 {
		return fmt.Errorf("executable path %q is not valid UTF-8 text without control characters", exe)
	}
	return nil
}

// isUnixAbs is filepath.IsAbs of Linux and macOS, on any OS.
func isUnixAbs(p string) bool { return strings.HasPrefix(p, "/") }

// isWindowsAbs is filepath.IsAbs of Windows, on any OS: a drive letter and
// a separator (C:\x), or a UNC path (\\server\share\x).
func isWindowsAbs(p string) bool {
	isSep := func(c byte) bool { return c == '\\' || c == '/' }
	if len(p) > 3 && p[1] == ':' && isSep(p[2]) {
		c := p[0] | 0x20
		return c >= 'a' && c <= 'z'
	}
	if len(p) > 2 && isSep(p[0]) && isSep(p[1]) && !isSep(p[2]) {
		_, rest, ok := strings.Cut(strings.ReplaceAll(p[2:], "/", `\`), `\`)
		share, _, _ := strings.Cut(rest, `\`)
		return ok && share != ""
	}
	return false
}

// DesktopEntry returns the XDG autostart entry that starts exe at login.
func DesktopEntry(exe string) ([]byte, error) {
	if err := checkExe(exe, isUnixAbs); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("[Desktop Entry]\n")
	b.WriteString("Type=Application\n")
	b.WriteString("Version=1.0\n")
	b.WriteString("Name=traycheck\n")
	b.WriteString("Comment=Tells who holds your VPN's port or device, and offers the fix\n")
	b.WriteString("Exec=" + escapeValue(quoteExecArg(exe)) + "\n")
	b.WriteString("Terminal=false\n")
	b.WriteString("X-GNOME-Autostart-enabled=true\n")
	b.WriteString(markerKey + "=true\n")
	return b.Bytes(), nil
}

// HiddenEntry returns the per-user entry that switches the system-wide one
// (installed by a package in /etc/xdg/autostart) off for this user: a user
// entry of the same file name overrides it, and Hidden=true means "as if
// it did not exist" (XDG autostart spec). It is marked as traycheck's, so
// Enable takes it away again.
func HiddenEntry() []byte {
	return []byte("[Desktop Entry]\n" +
		"Type=Application\n" +
		"Version=1.0\n" +
		"Name=traycheck\n" +
		"Comment=Start at login switched off for this user (hides the system-wide entry)\n" +
		"Exec=traycheck\n" +
		"Hidden=true\n" +
		"X-GNOME-Autostart-enabled=false\n" +
		markerKey + "=true\n")
}

// quoteExecArg quotes one argument of an Exec key as the Desktop Entry spec
// says: inside double quotes, '"', '`', '$' and '\' take a backslash; '%'
// doubles, because a single one starts a field code.
func quoteExecArg(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	if !strings.ContainsAny(s, " \t\n\"'\\><~|&;$*?#()`") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if r == '"' || r == '`' || r == '$' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// escapeValue applies the spec's string escapes, which come on top of the
// Exec quoting: a backslash in the value is written "\\".
func escapeValue(s string) string {
	return strings.ReplaceAll(s, `\`, `\\`)
}

// desktopKeys reads the keys of the [Desktop Entry] group. It is lenient:
// it reads files people wrote by hand, and only looks for a few keys.
func desktopKeys(b []byte) map[string]string {
	keys := map[string]string{}
	group := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#':
		case line[0] == '[':
			group = line
		case group == "[Desktop Entry]":
			if k, v, ok := strings.Cut(line, "="); ok {
				keys[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
	}
	return keys
}

// entryState describes an entry file: whether traycheck wrote it, and
// whether it is switched on.
func entryState(b []byte) (ours, on bool, exec string) {
	k := desktopKeys(b)
	ours = k[markerKey] == "true"
	on = k["Hidden"] != "true" && k["X-GNOME-Autostart-enabled"] != "false"
	return ours, on, k["Exec"]
}

// LaunchAgent returns the macOS LaunchAgent plist that starts exe at login.
func LaunchAgent(exe string) ([]byte, error) {
	if err := checkExe(exe, isUnixAbs); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">` + "\n")
	b.WriteString("<plist version=\"1.0\">\n<dict>\n")
	b.WriteString("\t<key>Label</key>\n\t<string>" + LaunchAgentLabel + "</string>\n")
	b.WriteString("\t<key>ProgramArguments</key>\n\t<array>\n\t\t<string>")
	if err := xml.EscapeText(&b, []byte(exe)); err != nil {
		return nil, err
	}
	b.WriteString("</string>\n\t</array>\n")
	b.WriteString("\t<key>RunAtLoad</key>\n\t<true/>\n")
	b.WriteString("\t<key>ProcessType</key>\n\t<string>Interactive</string>\n")
	b.WriteString("\t<key>" + markerKey + "</key>\n\t<true/>\n")
	b.WriteString("</dict>\n</plist>\n")
	return b.Bytes(), nil
}

// plistState reads back a LaunchAgent: whether traycheck wrote it, and the
// program it starts.
func plistState(b []byte) (ours bool, program string, err error) {
	var doc struct {
		Dict struct {
			Items []struct {
				XMLName xml.Name
				Text    string   `xml:",chardata"`
				Strings []string `xml:"string"`
			} `xml:",any"`
		} `xml:"dict"`
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	// The DOCTYPE names an external DTD; the decoder never fetches it.
	if err := dec.Decode(&doc); err != nil {
		return false, "", fmt.Errorf("reading plist: %w", err)
	}
	items := doc.Dict.Items
	for i := 0; i+1 < len(items); i++ {
		if items[i].XMLName.Local != "key" {
			continue
		}
		switch items[i].Text {
		case markerKey:
			ours = items[i+1].XMLName.Local == "true"
		case "ProgramArguments":
			if len(items[i+1].Strings) > 0 {
				program = items[i+1].Strings[0]
			}
		}
	}
	if program == "" {
		return ours, "", errors.New("plist has no ProgramArguments")
	}
	return ours, program, nil
}

// RunValue is the data of the Windows Run value for exe: the quoted path, so
// a path with spaces is not split.
func RunValue(exe string) (string, error) {
	if err := checkExe(exe, isWindowsAbs); err != nil {
		return "", err
	}
	if strings.Contains(exe, `"`) {
		return "", fmt.Errorf("executable path %q contains a quote", exe)
	}
	return `"` + exe + `"`, nil
}

// runValueIsOurs reports whether a Run value's data is one RunValue wrote: a
// quoted absolute path to traycheck.exe and nothing else.
func runValueIsOurs(data string) bool {
	if len(data) < 3 || data[0] != '"' || data[len(data)-1] != '"' {
		return false
	}
	p := data[1 : len(data)-1]
	if strings.Contains(p, `"`) || !isWindowsAbs(p) {
		return false
	}
	i := strings.LastIndexAny(p, `\/`)
	return strings.EqualFold(p[i+1:], "traycheck.exe")
}
