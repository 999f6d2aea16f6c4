package fleet

import "testing"

func TestEventTextOneLinePerField(t *testing.T) {
	t.Parallel()
	got := EventText([]Field{{"MESSAGE", "held"}, {"TRAYCHECK_HOLDER_NAME", "evil\r\nTRAYCHECK_CAUSE=free"}, {"TRAYCHECK_CAUSE", "other-app"}})
	want := "held\r\n\r\nTRAYCHECK_HOLDER_NAME=evil  TRAYCHECK_CAUSE=free\r\nTRAYCHECK_CAUSE=other-app"
	if got != want {
		t.Fatalf("got %q", got)
	}
}
