package trigger

import (
	"context"
	"testing"
)

// The real subscription to the Application log opens and closes (reading
// only: a test must not write the user's event log). Wine 8.0 has no event
// log service to subscribe to: scripts/wine/skip.txt lists this test.
func TestRasClientRealSubscription(t *testing.T) {
	feed, err := subscribeRas(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := feed.Close(); err != nil {
		t.Fatal(err)
	}
}
