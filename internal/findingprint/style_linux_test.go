package findingprint

import (
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a real pseudo-terminal of cols columns and returns its
// terminal side (what a program's stdout is in a terminal emulator).
func openPTY(t *testing.T, cols uint16) *os.File {
	t.Helper()
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("pseudo-terminals: %v", err)
	}
	master := os.NewFile(uintptr(fd), "ptmx")
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: cols}); err != nil {
		t.Fatal(err)
	}
	return tty
}

// TestDetectTerminal: on a real terminal, colour unless NO_COLOR,
// TERM=dumb or --color=never says no; the width is the terminal's, and
// COLUMNS only stands in when the terminal reports none.
func TestDetectTerminal(t *testing.T) {
	tty := openPTY(t, 72)
	cases := []struct {
		name  string
		mode  ColorMode
		env   map[string]string
		color bool
	}{
		{"auto", ColorAuto, map[string]string{"TERM": "xterm", "COLUMNS": "100"}, true},
		{"no_color", ColorAuto, map[string]string{"TERM": "xterm", "NO_COLOR": "1"}, false},
		{"no_color_empty_is_unset", ColorAuto, map[string]string{"TERM": "xterm", "NO_COLOR": ""}, true},
		{"dumb", ColorAuto, map[string]string{"TERM": "dumb"}, false},
		{"dumb_forced", ColorAuto, map[string]string{"TERM": "dumb", "CLICOLOR_FORCE": "1"}, true},
		{"never", ColorNever, map[string]string{"TERM": "xterm"}, false},
	}
	for _, tc := range cases {
		st := Detect(tty, tc.mode, envOf(tc.env))
		if st.Color != tc.color || st.Width != 72 {
			t.Errorf("%s: %+v, want colour %v, width 72", tc.name, st, tc.color)
		}
	}
	if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{}); err != nil {
		t.Fatal(err)
	}
	if st := Detect(tty, ColorAuto, envOf(map[string]string{"COLUMNS": "100"})); st.Width != 100 {
		t.Errorf("a terminal of unknown width with COLUMNS=100: %+v", st)
	}
}
