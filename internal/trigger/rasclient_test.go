package trigger

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/discover"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// recorded replays event XML as the subscription would deliver it, one
// batch per call, then ends.
type recorded struct {
	batches [][][]byte
	closed  bool
}

func (r *recorded) Next(ctx context.Context) ([][]byte, error) {
	if len(r.batches) == 0 {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	b := r.batches[0]
	r.batches = r.batches[1:]
	return b, nil
}

func (r *recorded) Close() error { r.closed = true; return nil }

// The source runs the decoder and the correlator over the feed: a dial's
// 20221, 20222 and 20227 in separate batches make one failure with COM3,
// and an unrelated event in between changes nothing.
func TestRasClientSource(t *testing.T) {
	feed := &recorded{batches: [][][]byte{
		{rasFixture(t, "20221.xml")},
		{rasFixture(t, "20222.xml"), []byte(`<Event><System><Provider Name="Outlook"/><EventID>1</EventID></System></Event>`)},
		{rasFixture(t, "20227-de.xml")},
	}}
	pbk := filepath.Join("testdata", "ras", "rasphone.pbk")
	src := &RasClient{
		Subscribe: func(context.Context) (EventFeed, error) { return feed, nil },
		Phonebook: func(n string) ([]vpnport.Resource, bool) { return discover.PhonebookEntry([]string{pbk}, n) },
	}
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := src.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-ch:
		if ev.Kind != Failed || ev.Connection != "Work" || ev.Code != "633" || len(ev.Resources) != 1 || ev.Resources[0].Path != "COM3" {
			t.Fatalf("event %+v", ev)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no event")
	}
	cancel()
	for range ch {
	}
	if !feed.closed {
		t.Error("the feed was not closed")
	}
}

func TestRasClientSubscribeFails(t *testing.T) {
	src := &RasClient{Subscribe: func(context.Context) (EventFeed, error) { return nil, errors.New("access denied") }}
	_, st := Run(context.Background(), nil, src)
	if st[0].Active || st[0].Why != "access denied" {
		t.Fatalf("status %+v", st)
	}
}
