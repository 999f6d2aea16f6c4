package discover

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSerialByID(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, n := range []string{"usb-HUAWEI_Technology_HUAWEI_Mobile-if00-port0", "usb-Arduino__www.arduino.cc__0043_75735-if00"} {
		// Plain files: the walk only lists names (and Wine makes no links).
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := Discover(t.Context(), Sources{SerialByID: dir})
	if len(got) != 2 {
		t.Fatalf("got %+v", got)
	}
	// ReadDir sorts: Arduino first.
	if len(got[0].Devices) != 0 || got[0].Kind != KindSerial {
		t.Errorf("arduino watched: %+v", got[0])
	}
	if len(got[1].Devices) != 1 || got[1].Devices[0] != filepath.Join(dir, "usb-HUAWEI_Technology_HUAWEI_Mobile-if00-port0") {
		t.Errorf("modem not watched: %+v", got[1])
	}
}
