package serial

import (
	"reflect"
	"testing"
)

func TestCOMName(t *testing.T) {
	for in, want := range map[string]string{
		"COM3": "COM3", "com12": "COM12", `\\.\COM256`: "COM256",
		"COM0": "", "COM257": "", "COM": "", "COM03": "", "COM+3": "", "/dev/ttyS0": "", "LPT1": "",
	} {
		got, ok := COMName(in)
		if got != want || ok != (want != "") {
			t.Errorf("COMName(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if got := COMDevicePath("COM10"); got != `\\.\COM10` {
		t.Errorf("COMDevicePath = %q", got)
	}
}

func TestClassifyCOMOpen(t *testing.T) {
	for _, c := range []struct {
		errno         uint32
		missing, busy bool
		wantErr       bool
	}{
		{0, false, false, false},
		{winErrAccessDenied, false, true, true},
		{winErrSharingViolation, false, true, true},
		{winErrFileNotFound, true, false, true},
		{winErrPathNotFound, true, false, true},
		{31, false, false, true}, // ERROR_GEN_FAILURE: a driver problem, not a holder
	} {
		text := ""
		if c.errno != 0 {
			text = "some error"
		}
		r := classifyCOMOpen(c.errno, text)
		if r.Missing != c.missing || r.Busy != c.busy || (r.Err != "") != c.wantErr {
			t.Errorf("errno %d: %+v", c.errno, r)
		}
	}
}

func TestSortCOMPorts(t *testing.T) {
	got := SortCOMPorts([]string{"COM10", "COM3", "\\Device\\Serial0", "COM2", "COM3", "COM1"})
	want := []string{"COM1", "COM2", "COM3", "COM10"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
