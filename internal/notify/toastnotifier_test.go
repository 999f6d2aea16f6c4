package notify

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestToastShow(t *testing.T) {
	pushed := make(chan toastMsg, 4)
	release := make(chan struct{})
	tn := newToast("traycheck", `C:\Users\me\AppData\Local\traycheck\icon.png`, func(m toastMsg) error {
		<-release // PowerShell is slow: Show must not wait for it
		pushed <- m
		return nil
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer tn.Close()

	n := Note{Tag: "udp/1194", Title: `"openvpn" $(calc) holds udp/1194`, Body: "line1\nline2",
		Token: "0123456789abcdef", Buttons: []Button{{"retry", "Retry"}, {"end-process", "End <openvpn>"}}}
	if err := tn.Show(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	close(release)
	var m toastMsg
	select {
	case m = <-pushed:
	case <-time.After(10 * time.Second):
		t.Fatal("note never pushed")
	}
	if strings.ContainsAny(m.Title, "$\"") || m.Message != "line1\nline2" || len(m.Actions) != 2 || m.Icon == "" {
		t.Fatalf("pushed %+v", m)
	}
	if want := "traycheck:action?id=end-process&amp;tag=udp%2F1194&amp;token=0123456789abcdef"; m.Actions[1].Arguments != want {
		t.Fatalf("arguments %q, want %q", m.Actions[1].Arguments, want)
	}
	if m.Actions[1].Label != "End ‹openvpn›" {
		t.Fatalf("label %q", m.Actions[1].Label)
	}

}

func TestToastRejectsBadNotesAndClose(t *testing.T) {
	tn := newToast("traycheck", `C:\Users\$me\icon.png`, func(toastMsg) error { return nil },
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if tn.icon != "" {
		t.Errorf("unsafe icon path kept: %q", tn.icon)
	}
	bad := Note{Tag: "udp/1194", Token: "x", Buttons: []Button{{"retry", "Retry"}}}
	if err := tn.Show(context.Background(), bad); err == nil {
		t.Error("note with a short token accepted")
	}
	tn.Close()
	if err := tn.Show(context.Background(), Note{Tag: "a", Title: "t"}); err == nil {
		t.Error("Show after Close")
	}
	if _, open := <-tn.Responses(); open {
		t.Error("Responses open after Close")
	}
}
