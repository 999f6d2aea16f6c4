package findingprint

import "golang.org/x/sys/windows"

// terminal asks for the console mode (which fails on a pipe or file) and
// the screen buffer's visible width, and turns on the console's ANSI
// processing: a console without it (before Windows 10) shows no colour.
func terminal(fd uintptr) termInfo {
	h := windows.Handle(fd)
	var mode uint32
	if windows.GetConsoleMode(h, &mode) != nil {
		return termInfo{}
	}
	t := termInfo{tty: true}
	var sb windows.ConsoleScreenBufferInfo
	if windows.GetConsoleScreenBufferInfo(h, &sb) == nil {
		t.cols = int(sb.Window.Right-sb.Window.Left) + 1
	}
	vt := mode | windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING
	t.ansi = mode == vt || windows.SetConsoleMode(h, vt) == nil
	return t
}
