package fleet

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/vpnport"
	"golang.org/x/sys/windows"
)

// Event Viewer's own lookup, done with the real Windows API against the
// traycheck-events.dll that scripts/build-eventdll.sh built from
// traycheck.mc (TRAYCHECK_EVENTS_DLL names it; scripts/test-windows.sh and
// scripts/test-msi.sh set it): the DLL is loaded as a data file, as the
// event log readers load an EventMessageFile, and every id of Table
// formats to its text with the event's insertion string in place of %1.
func TestEventMessageDLL(t *testing.T) {
	path := os.Getenv("TRAYCHECK_EVENTS_DLL")
	if path == "" {
		testenv.Missing(t, "TRAYCHECK_EVENTS_DLL (the path of traycheck-events.dll; scripts/test-windows.sh builds it)")
	}
	h, err := windows.LoadLibraryEx(path, 0, windows.LOAD_LIBRARY_AS_DATAFILE)
	if err != nil {
		t.Fatalf("LoadLibraryEx(%s, LOAD_LIBRARY_AS_DATAFILE): %v", path, err)
	}
	defer windows.FreeLibrary(h)

	e := Event{Kind: Kind(diagnose.OtherApp), Resource: vpnport.Resource{Kind: vpnport.UDP, Port: 1194},
		Cause: diagnose.OtherApp, Holders: []vpnport.Holder{{PID: 4242, Name: "skype.exe"}},
		Message: "udp/1194 is held by skype.exe (PID 4242)"}
	insert := EventText(e.Fields(false))
	if !strings.Contains(insert, "TRAYCHECK_HOLDER_NAME=skype.exe") {
		t.Fatalf("insertion string %q lacks the holder field", insert)
	}
	// 0 is the search Event Viewer relies on (neutral, the user's and the
	// system's languages, then US English); 0x409 is the table's own.
	for _, lang := range []uint32{0, 0x409} {
		for _, s := range Table {
			got, err := formatFromModule(h, s.EventID, lang, insert)
			if err != nil {
				t.Errorf("FormatMessage(id %d, lang %#x): %v", s.EventID, lang, err)
				continue
			}
			want := strings.ReplaceAll(s.MessageText(), "%n", "\r\n")
			want = strings.Replace(want, "%1", insert, 1) + "\r\n" // the message compiler ends each text with a line break
			if got != want {
				t.Errorf("id %d (%s), lang %#x:\n got %q\nwant %q", s.EventID, s.Kind, lang, got, want)
			}
		}
	}
	// An id outside the table is not found, so the texts above came from
	// the DLL's table and not from some fallback.
	if _, err := formatFromModule(h, 999, 0, insert); !errors.Is(err, windows.ERROR_MR_MID_NOT_FOUND) {
		t.Errorf("id 999: err %v, want ERROR_MR_MID_NOT_FOUND", err)
	}
}

// formatFromModule is FormatMessage(FROM_HMODULE|ARGUMENT_ARRAY) with one
// insertion string, as the event log readers call it.
func formatFromModule(h windows.Handle, id, lang uint32, arg string) (string, error) {
	p, err := windows.UTF16PtrFromString(arg)
	if err != nil {
		return "", err
	}
	args := []uintptr{uintptr(unsafe.Pointer(p))}
	buf := make([]uint16, 64<<10)
	n, err := windows.FormatMessage(windows.FORMAT_MESSAGE_FROM_HMODULE|windows.FORMAT_MESSAGE_ARGUMENT_ARRAY,
		uintptr(h), id, lang, buf, (*byte)(unsafe.Pointer(&args[0])))
	runtime.KeepAlive(p)
	if err != nil {
		return "", err
	}
	return windows.UTF16ToString(buf[:n]), nil
}
