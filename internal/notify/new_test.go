package notify

import (
	"context"
	"strings"
	"testing"
)

func TestConsolePrintsAndAcceptsOnlyShownKeys(t *testing.T) {
	var out strings.Builder
	c := NewConsole(&out)
	n := Note{Tag: "udp/1194", Title: "udp/1194 is held by python3 (PID 4242)", Body: "line one\nline two",
		Buttons: []Button{{"retry", "Retry"}, {"end-process", "End python3"}}, Token: "tk"}
	if err := c.Show(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"udp/1194 is held by python3 (PID 4242)\n", "  line one\n  line two\n",
		"[udp/1194] End python3: traycheck action end-process\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output %q lacks %q", out.String(), want)
		}
	}
	if c.Deliver("udp/1194", "reboot-suggested") {
		t.Error("accepted a key the note did not offer")
	}
	if c.Deliver("tcp/22", "retry") {
		t.Error("accepted an answer for a note never shown")
	}
	if !c.Deliver("udp/1194", "end-process") {
		t.Fatal("rejected a genuine answer")
	}
	if r := <-c.Responses(); r != (Response{Tag: "udp/1194", Action: "end-process", Token: "tk"}) {
		t.Errorf("response = %+v", r)
	}
	if c.Deliver("udp/1194", "retry") {
		t.Error("accepted a second answer to the same note")
	}
	c.Close()
	if _, ok := <-c.Responses(); ok {
		t.Error("Responses open after Close")
	}
	if err := c.Show(context.Background(), n); err == nil {
		t.Error("Show after Close succeeded")
	}
}

func TestNone(t *testing.T) {
	n := None()
	if err := n.Show(context.Background(), Note{Tag: "x"}); err != nil {
		t.Fatal(err)
	}
	n.Close()
	if _, ok := <-n.Responses(); ok {
		t.Error("Responses open after Close")
	}
}
