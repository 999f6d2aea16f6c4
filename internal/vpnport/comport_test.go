package vpnport

import (
	"reflect"
	"testing"
)

func TestComName(t *testing.T) {
	for in, want := range map[string]string{
		"COM3": "COM3", "com12": "COM12", `\\.\COM256`: "COM256",
		"COM0": "", "COM257": "", "COM": "", "COM03": "", "COM+3": "", "/dev/ttyS0": "", "LPT1": "",
	} {
		got, ok := comName(in)
		if got != want || ok != (want != "") {
			t.Errorf("comName(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if got := comDevicePath("COM10"); got != `\\.\COM10` {
		t.Errorf("comDevicePath = %q", got)
	}
}

func TestComClassifyOpen(t *testing.T) {
	for _, c := range []struct {
		errno          uint32
		exists, busy   bool
		wantErrNonNull bool
	}{
		{0, true, false, false},
		{winErrAccessDenied, true, true, true},
		{winErrSharingViolation, true, true, true},
		{winErrFileNotFound, false, false, true},
		{winErrPathNotFound, false, false, true},
		{31, true, false, true}, // ERROR_GEN_FAILURE: a driver problem, not a holder
	} {
		var o Observation
		text := ""
		if c.errno != 0 {
			text = "some error"
		}
		comClassifyOpen(&o, c.errno, text)
		if o.Exists != c.exists || o.Busy != c.busy || (o.OpenErr != "") != c.wantErrNonNull {
			t.Errorf("errno %d: %+v", c.errno, o)
		}
	}
}

func TestComSortPorts(t *testing.T) {
	got := comSortPorts([]string{"COM10", "COM3", "\\Device\\Serial0", "COM2", "COM3", "COM1"})
	want := []string{"COM1", "COM2", "COM3", "COM10"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
