package serial

import "testing"

// TestPortsAndTryOpen: SERIALCOMM reads without error and lists only COM
// names; a port that is not there opens as missing, never busy.
func TestPortsAndTryOpen(t *testing.T) {
	ports, err := Ports()
	if err != nil {
		t.Fatal(err)
	}
	for object, name := range ports {
		if _, ok := COMName(name); !ok {
			t.Errorf("SERIALCOMM %s = %q, not a COM name", object, name)
		}
	}
	if r := TryOpen(COMDevicePath("COM250")); !r.Missing || r.Busy || r.Err == "" {
		t.Errorf("TryOpen(COM250) = %+v, want missing with the error's text", r)
	}
}
