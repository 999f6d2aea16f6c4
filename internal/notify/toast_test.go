package notify

import (
	"encoding/xml"
	"strings"
	"testing"
	"unicode/utf8"
)

// toastDangerous lists what must never reach go-toast's script from outside
// text: PowerShell's expansion and escape characters, every quote
// PowerShell reads as a double quote, and XML's markup characters.
const toastDangerous = "$`\"“”„<>&"

func checkToastSafe(t *testing.T, in, out string, max int, multiline bool) {
	t.Helper()
	if i := strings.IndexAny(out, toastDangerous); i >= 0 {
		t.Fatalf("toastText(%q) = %q: contains %q", in, out, out[i:i+1])
	}
	if strings.Contains(out, "]]>") || strings.Contains(out, `"@`) {
		t.Fatalf("toastText(%q) = %q: terminator", in, out)
	}
	if !utf8.ValidString(out) {
		t.Fatalf("toastText(%q) = %q: invalid UTF-8", in, out)
	}
	for _, r := range out {
		if (r < 0x20 && !(multiline && r == '\n')) || (r >= 0x7f && r < 0xa0) || (r >= 0x202a && r <= 0x202e) {
			t.Fatalf("toastText(%q) = %q: control %U", in, out, r)
		}
	}
	if n := utf8.RuneCountInString(out); n > max+1 {
		t.Fatalf("toastText(%q): %d runes, max %d", in, n, max)
	}
}

func TestToastTextHostileNames(t *testing.T) {
	for in, want := range map[string]string{
		"openvpn.exe":                           "openvpn.exe",
		"$(Remove-Item -Recurse C:\\)":          "＄(Remove-Item -Recurse C:\\)",
		"evil`$env:USERPROFILE":                 "evilˋ＄env:USERPROFILE",
		"x\n\"@\nStart-Process calc\n@\"":       "x '@ Start-Process calc @'",
		"a]]><text>pwned</text><![CDATA[":       "a]]›‹text›pwned‹/text›‹![CDATA[",
		"“smart” „quotes“":                      "'smart' 'quotes'",
		"tab\there\x00nul\x1b[31mred":           "tab herenul[31mred",
		"gpj.\u202Eexe":                         "gpj.exe",
		"bad\xff\xfeutf8":                       "bad\uFFFD\uFFFDutf8",
		"A & B <script>":                        "A ＆ B ‹script›",
		"  spaced   out  ":                      "spaced out",
		"line1\r\nline2\u2028line3":             "line1 line2 line3",
		"python3 -c 'import socket; s.bind(1)'": "python3 -c 'import socket; s.bind(1)'",
	} {
		got := toastText(in, toastMaxBody, false)
		if got != want {
			t.Errorf("toastText(%q)\n got %q\nwant %q", in, got, want)
		}
		checkToastSafe(t, in, got, toastMaxBody, false)
	}
	if got := toastText("a\r\nb\rc", 100, true); got != "a\nb\nc" {
		t.Errorf("multiline: %q", got)
	}
	if got := toastText(strings.Repeat("é", 500), 10, false); got != strings.Repeat("é", 10)+"…" {
		t.Errorf("cut: %q", got)
	}
}

// TestToastTextInXML renders sanitised text the way go-toast's template
// does and checks that an XML parser reads back exactly that text.
func TestToastTextInXML(t *testing.T) {
	in := "proc<&>\"name\" ]]> $x"
	title := toastText(in, toastMaxTitle, false)
	label := toastText(in, toastMaxLabel, false)
	uri, ok := toastAttrURI("traycheck:action?id=retry&tag=udp%2F1194&token=0123456789abcdef")
	if !ok {
		t.Fatal("own URI refused")
	}
	doc := `<toast><visual><binding><text><![CDATA[` + title + `]]></text></binding></visual>` +
		`<actions><action activationType="protocol" content="` + label + `" arguments="` + uri + `" /></actions></toast>`
	var v struct {
		Text   string `xml:"visual>binding>text"`
		Action struct {
			Content   string `xml:"content,attr"`
			Arguments string `xml:"arguments,attr"`
		} `xml:"actions>action"`
	}
	if err := xml.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("%v in %s", err, doc)
	}
	if v.Text != title || v.Action.Content != label {
		t.Errorf("read back %q / %q, want %q / %q", v.Text, v.Action.Content, title, label)
	}
	if v.Action.Arguments != "traycheck:action?id=retry&tag=udp%2F1194&token=0123456789abcdef" {
		t.Errorf("arguments read back as %q", v.Action.Arguments)
	}
	if _, ok := toastAttrURI(`traycheck:action?id=x"&y`); ok {
		t.Error("URI with a quote accepted")
	}
	if toastSafeAttr(`C:\Users\$me\icon.png`) || !toastSafeAttr(`C:\Users\me\AppData\Local\traycheck\icon.png`) {
		t.Error("toastSafeAttr")
	}
}

func FuzzToastText(f *testing.F) {
	f.Add("$(calc)`\"@]]><&\u202e\r\n\x00", true)
	f.Add("“x”", false)
	f.Fuzz(func(t *testing.T, in string, multiline bool) {
		out := toastText(in, 50, multiline)
		checkToastSafe(t, in, out, 50, multiline)
		if got := toastText(out, 51, multiline); got != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, out, got)
		}
	})
}

func BenchmarkToastText(b *testing.B) {
	in := strings.Repeat("python3 -m http.server $PORT <x> ", 10)
	b.ReportAllocs()
	for b.Loop() {
		_ = toastText(in, toastMaxBody, false)
	}
}
