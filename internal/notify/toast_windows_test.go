package notify

import (
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// capturePowerShellEnv, when set, makes this test binary act as
// PowerShell.exe: it copies the script go-toast asks it to run (-File) to
// the named file and exits. The toast host is the one part Wine cannot run
// (its powershell.exe is a stub), so the test stands in for it there and
// reads what go-toast really wrote.
const capturePowerShellEnv = "TRAYCHECK_TEST_CAPTURE_PS1"

func TestMain(m *testing.M) {
	if out := os.Getenv(capturePowerShellEnv); out != "" {
		for i, a := range os.Args {
			if strings.EqualFold(a, "-File") && i+1 < len(os.Args) {
				b, err := os.ReadFile(os.Args[i+1])
				if err == nil {
					err = os.WriteFile(out, b, 0o600)
				}
				if err != nil {
					os.Exit(1)
				}
				os.Exit(0)
			}
		}
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// TestToastScriptRoundTrip: a note with hostile text goes through Show and
// go-toast's own PowerShell template; the toast XML in the script parses,
// shows the sanitised text, and each button's arguments parse back with
// ParseActionURI and are accepted by Deliver exactly once.
func TestToastScriptRoundTrip(t *testing.T) {
	bin := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "PowerShell.exe"), b, 0o700); err != nil {
		t.Fatal(err)
	}
	capture := filepath.Join(t.TempDir(), "toast.ps1")
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv(capturePowerShellEnv, capture)

	tn := newToast(appUserModelID, "", pushGoToast, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer tn.Close()
	n := Note{Tag: "udp/1194", Title: `"openvpn" $(calc) holds udp/1194 ]]>`, Body: "PID 4242 `whoami`",
		Token: "0123456789abcdef", Buttons: []Button{{"retry", "Retry"}, {"end-process", `End "openvpn" & <co>`}}}
	if err := tn.Show(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	var script []byte
	for deadline := time.Now().Add(30 * time.Second); ; {
		if script, err = os.ReadFile(capture); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("go-toast never ran PowerShell")
		}
		time.Sleep(50 * time.Millisecond)
	}

	s := strings.TrimPrefix(string(script), "\ufeff")
	_, rest, ok := strings.Cut(s, "$template = @\"\n")
	body, _, ok2 := strings.Cut(rest, "\n\"@")
	if !ok || !ok2 {
		t.Fatalf("no here-string in the script:\n%s", s)
	}
	if strings.ContainsAny(body, "$`") {
		t.Errorf("the here-string carries characters PowerShell expands:\n%s", body)
	}
	var doc struct {
		Texts   []string `xml:"visual>binding>text"`
		Actions []struct {
			Type      string `xml:"activationType,attr"`
			Content   string `xml:"content,attr"`
			Arguments string `xml:"arguments,attr"`
		} `xml:"actions>action"`
	}
	if err := xml.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("toast XML does not parse: %v\n%s", err, body)
	}
	if len(doc.Texts) != 2 || !strings.Contains(doc.Texts[0], "openvpn") || !strings.Contains(doc.Texts[1], "PID 4242") {
		t.Errorf("texts %q", doc.Texts)
	}
	if len(doc.Actions) != 2 {
		t.Fatalf("actions %+v", doc.Actions)
	}
	for i, want := range []string{"retry", "end-process"} {
		a := doc.Actions[i]
		u, err := ParseActionURI(a.Arguments)
		if err != nil || a.Type != "protocol" || u.Action != want || u.Tag != "udp/1194" || u.Token != n.Token {
			t.Fatalf("button %d: %+v parses as %+v, %v", i, a, u, err)
		}
	}
	if err := tn.Deliver(doc.Actions[1].Arguments); err != nil {
		t.Fatalf("Deliver(the button's own URI) = %v", err)
	}
	if r := <-tn.Responses(); r != (Response{Tag: "udp/1194", Action: "end-process", Token: n.Token}) {
		t.Errorf("response %+v", r)
	}
	if err := tn.Deliver(doc.Actions[0].Arguments); err == nil {
		t.Error("a second button of an answered note was accepted")
	}
}
