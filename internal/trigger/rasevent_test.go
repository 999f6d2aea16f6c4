package trigger

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/discover"
	"github.com/traycheck/traycheck/internal/vpnport"
)

func rasFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "ras", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decode(t *testing.T, name string) RasRecord {
	t.Helper()
	r, err := DecodeRasEvent(rasFixture(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r
}

func TestDecodeRasEvents(t *testing.T) {
	p := decode(t, "20221.xml")
	if p.EventID != 20221 || p.Connection != "Work" || p.User != `DESKTOP-7K2Q\alice` || p.CoID != "{3F1D6A52-8C0B-4E7A-9D21-5B7E0C4A9F10}" {
		t.Errorf("20221: %+v", p)
	}
	l := decode(t, "20222.xml")
	if l.Device != "Standard 56000 bps Modem" || l.Port != "COM3" {
		t.Errorf("20222: %+v", l)
	}
	v := decode(t, "20222-vpn.xml")
	if v.Device != "WAN Miniport (L2TP)" || v.Port != "VPN2-0" || v.CoID != "{0B7C9E11-2D3A-4F5B-8C6D-7E8F90A1B2C3}" {
		t.Errorf("20222 with one settings text: %+v", v)
	}
	f := decode(t, "20227-de.xml")
	if f.Code != "633" || f.Connection != "Work" || f.RecordID != 8803 || f.At.IsZero() {
		t.Errorf("20227: %+v", f)
	}
	// The code comes from the data fields, never from the localized text.
	b := bytes.Replace(rasFixture(t, "20227-de.xml"), []byte("lautet 633"), []byte("lautet 639"), 1)
	if g, err := DecodeRasEvent(b); err != nil || g.Code != "633" {
		t.Errorf("with another code in the message text: %+v %v", g, err)
	}
}

func TestDecodeRasEventRejects(t *testing.T) {
	other := bytes.Replace(rasFixture(t, "20227-de.xml"), []byte(`Name="RasClient"`), []byte(`Name="Outlook"`), 1)
	if _, err := DecodeRasEvent(other); err != errNotRas {
		t.Errorf("another provider: %v", err)
	}
	if _, err := DecodeRasEvent([]byte("<Event><System>")); err == nil || !strings.Contains(err.Error(), "XML") {
		t.Errorf("truncated XML: %v", err)
	}
	noCo := bytes.Replace(rasFixture(t, "20227-de.xml"), []byte("{3F1D6A52-8C0B-4E7A-9D21-5B7E0C4A9F10}</Data>"), []byte("x</Data>"), 1)
	if _, err := DecodeRasEvent(noCo); err == nil || !strings.Contains(err.Error(), "correlation id") {
		t.Errorf("no correlation id: %v", err)
	}
}

// The dial's events, correlated: 20227 becomes a failure of 'Work' with
// its phonebook entry's COM3 (from 20222 and rasphone.pbk); 691 (the
// server refused the credentials) names nothing to check; 20225 is the
// connection up.
func TestRasCorrelation(t *testing.T) {
	pbk := filepath.Join("testdata", "ras", "rasphone.pbk")
	c := &RasCorrelator{Phonebook: func(name string) ([]vpnport.Resource, bool) {
		return discover.PhonebookEntry([]string{pbk}, name)
	}}
	var evs []Event
	for _, n := range []string{"20221.xml", "20222.xml", "20222-vpn.xml", "20227-de.xml", "20227-691.xml", "20225.xml"} {
		if ev, ok := c.Add(decode(t, n)); ok {
			evs = append(evs, ev)
		}
	}
	if len(evs) != 3 {
		t.Fatalf("events %+v", evs)
	}
	w := evs[0]
	com3 := vpnport.Resource{Kind: vpnport.Device, Path: "COM3"}
	if w.Kind != Failed || w.Connection != "Work" || w.Code != "633" || !slices.Equal(w.Resources, []vpnport.Resource{com3}) ||
		!strings.HasPrefix(w.Line, "Error 633: ") {
		t.Errorf("633: %+v", w)
	}
	if a := evs[1]; a.Kind != Failed || a.Connection != "Office VPN" || a.Code != "691" || len(a.Resources) != 0 {
		t.Errorf("691: %+v", a)
	}
	if u := evs[2]; u.Kind != Connected || u.Connection != "Work" {
		t.Errorf("20225: %+v", u)
	}
}

func FuzzDecodeRasEvent(f *testing.F) {
	for _, n := range []string{"20221.xml", "20222.xml", "20222-vpn.xml", "20227-de.xml", "20227-691.xml", "20225.xml"} {
		f.Add(rasFixture(f, n))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeRasEvent(b)
		if err == nil && r.CoID == "" {
			t.Fatal("a record without a correlation id")
		}
		var c RasCorrelator
		if err == nil {
			c.Add(r)
		}
	})
}
