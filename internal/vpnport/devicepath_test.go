package vpnport

import "testing"

// A device is an absolute path or a COM port name by the one COM rule
// (package serial): what config accepts is what the Windows probe opens.
func TestIsDevicePath(t *testing.T) {
	for s, want := range map[string]bool{
		"/dev/ttyUSB0": true, `\\.\COM12`: true, "COM1": true, "com256": true,
		"COM0": false, "COM257": false, "COM03": false, "COM+3": false, "COM": false,
		"ttyUSB0": false, "": false,
	} {
		if got := IsDevicePath(s); got != want {
			t.Errorf("IsDevicePath(%q) = %v, want %v", s, got, want)
		}
	}
}
