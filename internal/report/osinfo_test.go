package report

import (
	"os"
	"strings"
	"testing"
)

func TestParseOSRelease(t *testing.T) {
	for file, want := range map[string]string{
		"os-release-debian12":     "Debian GNU/Linux 12 (bookworm)",
		"os-release-noprettyname": "Alpine 3.19.1",
		"os-release-escaped":      `Fedora Linux 39 (Workstation "Edition")`,
	} {
		f, err := os.Open("testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		got := ParseOSRelease(f)
		f.Close()
		if got != want {
			t.Errorf("%s: %q, want %q", file, got, want)
		}
	}
	if got := ParseOSRelease(strings.NewReader("")); got != "" {
		t.Errorf("empty: %q", got)
	}
}

func TestOSInfoNamesThisOS(t *testing.T) {
	i := osInfo()
	if i.GOOS == "" || i.GOARCH == "" || i.Name == "" {
		t.Fatalf("incomplete: %+v", i)
	}
}

func FuzzParseOSRelease(f *testing.F) {
	f.Add("PRETTY_NAME=\"x\"\nNAME=y\n")
	f.Add("NAME='\\\"'\nVERSION_ID=\"\\u00e9\"")
	f.Fuzz(func(t *testing.T, s string) {
		if len(ParseOSRelease(strings.NewReader(s))) > len(s)+16 {
			t.Fatal("result longer than the input")
		}
	})
}
