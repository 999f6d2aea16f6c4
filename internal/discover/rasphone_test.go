package discover

import (
	"strings"
	"testing"
)

// testdata/rasphone.pbk follows the layout Windows writes (CRLF, a section
// per entry, Type/VpnStrategy/PORT/Device keys; the dial-up entry names its
// modem's COM port). RAS runs only on Windows: it is a fixture.
func TestRasphone(t *testing.T) {
	t.Parallel()
	got := Discover(t.Context(), Sources{Phonebooks: []string{"testdata/rasphone.pbk", "testdata/absent.pbk"}})
	var lines []string
	for _, f := range got {
		lines = append(lines, f.Name+": "+strings.Join(f.Ports, ",")+" "+strings.Join(f.Devices, ","))
	}
	want := []string{
		"Office VPN: udp/500,udp/4500,udp/1701 ",
		"Home IKEv2: udp/500,udp/4500 ",
		"Old PPTP:  ",
		"Dial-up ISP:  COM3",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(got[2].Note, "no fixed local port") {
		t.Errorf("PPTP note %q", got[2].Note)
	}
	if !strings.Contains(got[3].Note, "Standard 56000 bps Modem") || strings.Join(got[3].Reconnect, " ") != "rasdial Dial-up ISP" {
		t.Errorf("dial-up: %+v", got[3])
	}
}
