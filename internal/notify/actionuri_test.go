package notify

import (
	"errors"
	"strings"
	"testing"
)

func TestActionURIRoundTrip(t *testing.T) {
	for _, a := range []ActionURI{
		{"end-process", "udp/1194", "0123456789abcdef"},
		{"confirm-end-process", "/dev/ttyUSB0", "AbC_-xyz09"},
		{"retry", "COM3", strings.Repeat("f", 64)},
		{"wait", "tcp/8080 (ssh -L)", "tok-en-12"},
	} {
		s, err := BuildActionURI(a)
		if err != nil {
			t.Fatalf("%+v: %v", a, err)
		}
		for _, c := range []byte(s) {
			if strings.IndexByte(`$"'<>`+"` \\", c) >= 0 || c < 0x20 {
				t.Fatalf("%q contains %q", s, c)
			}
		}
		got, err := ParseActionURI(s)
		if err != nil || got != a {
			t.Fatalf("ParseActionURI(%q) = %+v, %v; want %+v", s, got, err, a)
		}
	}
	s, _ := BuildActionURI(ActionURI{"end-process", "udp/1194", "0123456789abcdef"})
	if want := "traycheck:action?id=end-process&tag=udp%2F1194&token=0123456789abcdef"; s != want {
		t.Fatalf("got %q, want %q", s, want)
	}
	if _, err := ParseActionURI(strings.Replace(s, ":action?", ":action/?", 1)); err != nil {
		t.Fatalf("slash after the opaque part: %v", err)
	}
	if _, err := ParseActionURI(strings.ToUpper(s[:10]) + s[10:]); err != nil {
		t.Fatalf("scheme in upper case: %v", err)
	}
}

func TestParseActionURIStrict(t *testing.T) {
	ok := "traycheck:action?id=retry&tag=udp%2F1194&token=0123456789abcdef"
	if _, err := ParseActionURI(ok); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"",
		"traycheck:",
		"traycheck:action",
		"http://evil/?id=retry&tag=udp%2F1194&token=0123456789abcdef",
		"traycheck:other?id=retry&tag=udp%2F1194&token=0123456789abcdef",
		"traycheck://action?id=retry&tag=udp%2F1194&token=0123456789abcdef",
		ok + "&extra=1",
		ok + "&id=retry",
		ok + "#frag",
		"traycheck:action?id=retry&tag=udp%2F1194",
		"traycheck:action?id=Retry&tag=udp%2F1194&token=0123456789abcdef",
		"traycheck:action?id=rm%20-rf&tag=udp%2F1194&token=0123456789abcdef",
		"traycheck:action?id=retry&tag=&token=0123456789abcdef",
		"traycheck:action?id=retry&tag=a%0Ab&token=0123456789abcdef",
		"traycheck:action?id=retry&tag=udp%2F1194&token=short",
		"traycheck:action?id=retry&tag=udp%2F1194&token=%24(calc)aaaaaaa",
		"traycheck:action?id=retry&tag=udp%2F1194&token=0123456789abcdef/",
		"traycheck:action?id=retry;tag=udp%2F1194&token=0123456789abcdef",
		"traycheck:action?id=retry&tag=%ZZ&token=0123456789abcdef",
		"traycheck:action?id=retry&tag=" + strings.Repeat("a", 2000) + "&token=0123456789abcdef",
	} {
		if a, err := ParseActionURI(s); err == nil || !errors.Is(err, ErrBadActionURI) {
			t.Errorf("ParseActionURI(%q) = %+v, %v; want ErrBadActionURI", s, a, err)
		}
	}
	if _, err := BuildActionURI(ActionURI{"end process", "udp/1", "0123456789abcdef"}); err == nil {
		t.Error("BuildActionURI accepted a key with a space")
	}
}

func FuzzParseActionURI(f *testing.F) {
	f.Add("traycheck:action?id=retry&tag=udp%2F1194&token=0123456789abcdef")
	f.Add("traycheck:action?id=a&id=b")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseActionURI(s)
		if err != nil {
			return
		}
		// Whatever parses must survive a round trip unchanged.
		s2, err := BuildActionURI(a)
		if err != nil {
			t.Fatalf("parsed %+v but cannot build it: %v", a, err)
		}
		if a2, err := ParseActionURI(s2); err != nil || a2 != a {
			t.Fatalf("round trip %+v -> %q -> %+v, %v", a, s2, a2, err)
		}
	})
}

func TestURLSchemeCommand(t *testing.T) {
	got := urlSchemeCommand(`C:\Users\me\AppData\Local\Programs\traycheck\traycheck.exe`)
	want := `"C:\Users\me\AppData\Local\Programs\traycheck\traycheck.exe" --action-uri "%1"`
	if got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
