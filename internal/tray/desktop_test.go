package tray

import (
	"bytes"
	"strings"
	"testing"
)

func TestOpenArgv(t *testing.T) {
	dir := t.TempDir() // a real folder: Windows picks explorer for folders
	cases := []struct {
		goos, path string
		asText     bool
		want       string
	}{
		{"linux", "/home/u/.cache/traycheck/traycheck.log", false, "xdg-open|/home/u/.cache/traycheck/traycheck.log"},
		{"linux", "/home/u/.config/traycheck/config.toml", true, "xdg-open|/home/u/.config/traycheck/config.toml"},
		{"freebsd", "/tmp/x", false, "xdg-open|/tmp/x"},
		{"darwin", "/Users/u/Library/Caches/traycheck/traycheck.log", false, "open|/Users/u/Library/Caches/traycheck/traycheck.log"},
		{"darwin", "/Users/u/Library/Application Support/traycheck/config.toml", true, "open|-t|/Users/u/Library/Application Support/traycheck/config.toml"},
		{"windows", `C:\Users\u\AppData\Local\traycheck\traycheck.log`, false, `rundll32.exe|url.dll,FileProtocolHandler|C:\Users\u\AppData\Local\traycheck\traycheck.log`},
		{"windows", dir, false, "explorer.exe|" + dir},
	}
	for _, tc := range cases {
		if got := strings.Join(openArgv(tc.goos, tc.path, tc.asText), "|"); got != tc.want {
			t.Errorf("%s %q: argv %q, want %q", tc.goos, tc.path, got, tc.want)
		}
	}
}

func TestClipboardTools(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	names := func(ts []clipTool) string {
		var out []string
		for _, t := range ts {
			out = append(out, t.argv[0])
		}
		return strings.Join(out, ",")
	}
	cases := []struct {
		name, goos string
		getenv     func(string) string
		want       string
	}{
		{"x11", "linux", env("DISPLAY", ":0"), "xclip,xsel"},
		{"wayland with xwayland", "linux", env("DISPLAY", ":0", "WAYLAND_DISPLAY", "wayland-0"), "wl-copy,xclip,xsel"},
		{"wayland only", "linux", env("WAYLAND_DISPLAY", "wayland-0"), "wl-copy"},
		{"ssh session, no display", "linux", env(), ""},
		{"windows", "windows", env(), "clip.exe"},
		{"macos", "darwin", env(), "pbcopy"},
	}
	for _, tc := range cases {
		if got := names(clipboardTools(tc.goos, tc.getenv)); got != tc.want {
			t.Errorf("%s: tools %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, tl := range clipboardTools("linux", env("DISPLAY", ":0")) {
		if tl.argv[0] == "xclip" && strings.Join(tl.argv, " ") != "xclip -selection clipboard -in" {
			t.Errorf("xclip argv %q: must target the clipboard, not the primary selection", tl.argv)
		}
	}
	if ts := clipboardTools("windows", env()); !ts[0].utf16 {
		t.Error("clip.exe must get UTF-16")
	}
}

func TestWindowsClipText(t *testing.T) {
	cases := []struct {
		in   string
		want []byte
	}{
		{"", []byte{0xFF, 0xFE}},
		{"a\nb", []byte{0xFF, 0xFE, 'a', 0, '\r', 0, '\n', 0, 'b', 0}},
		{"a\r\nb", []byte{0xFF, 0xFE, 'a', 0, '\r', 0, '\n', 0, 'b', 0}}, // no doubled CR
		{"é…", []byte{0xFF, 0xFE, 0xE9, 0x00, 0x26, 0x20}},
		{"😀", []byte{0xFF, 0xFE, 0x3D, 0xD8, 0x00, 0xDE}}, // a surrogate pair
		{"\xff", []byte{0xFF, 0xFE, 0xFD, 0xFF}},          // invalid UTF-8: U+FFFD
	}
	for _, tc := range cases {
		if got := windowsClipText([]byte(tc.in)); !bytes.Equal(got, tc.want) {
			t.Errorf("windowsClipText(%q) = % x, want % x", tc.in, got, tc.want)
		}
	}
}

func BenchmarkWindowsClipText(b *testing.B) {
	report := bytes.Repeat([]byte("udp/1194: other-app\n  holder: socat (PID 4242), command: /usr/bin/socat\n"), 200)
	b.ReportAllocs()
	for b.Loop() {
		windowsClipText(report)
	}
}
