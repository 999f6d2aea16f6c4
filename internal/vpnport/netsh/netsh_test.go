package netsh

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseExcludedRangesLanguages(t *testing.T) {
	want := []Range{
		{Proto: "tcp", Start: 1080, End: 1080},
		{Proto: "tcp", Start: 5357, End: 5357},
		{Proto: "tcp", Start: 49709, End: 49808},
		{Proto: "tcp", Start: 50000, End: 50059, Administered: true},
	}
	files, _ := filepath.Glob("testdata/*_ipv4_tcp.txt")
	if len(files) < 5 {
		t.Fatalf("want fixtures in at least 5 languages, found %d", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(bytes.NewReader(b), "tcp")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
		})
	}
}

func TestParseExcludedRangesEmpty(t *testing.T) {
	b, err := os.ReadFile("testdata/en-US_ipv6_udp_empty.txt")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(bytes.NewReader(b), "udp")
	if err != nil || len(got) != 0 {
		t.Fatalf("got %v, %v; want no ranges", got, err)
	}
}

func TestParseExcludedRangesRejectsBadRows(t *testing.T) {
	for _, in := range []string{"  50059 50000\n", "0 10\n", "70000 70001\n"} {
		if got, err := Parse(strings.NewReader(in), "tcp"); err == nil {
			t.Errorf("%q: got %v, want an error", in, got)
		}
	}
	// Lines that are not two numbers (headings with digits, footnotes) are
	// not rows at all.
	in := "Windows 10 2004 build\n12 ab\n1 2 3\n* - x\n"
	if got, err := Parse(strings.NewReader(in), "tcp"); err != nil || len(got) != 0 {
		t.Errorf("got %v, %v; want nothing", got, err)
	}
}

func TestNetshRangesCache(t *testing.T) {
	en, err := os.ReadFile("testdata/en-US_ipv4_tcp.txt")
	if err != nil {
		t.Fatal(err)
	}
	var calls [][]string
	c := &Cache{TTL: time.Minute, Run: func(_ context.Context, args []string) ([]byte, error) {
		calls = append(calls, args)
		if args[1] == "ipv6" {
			return nil, errors.New("netsh: exit status 1")
		}
		if args[4] == "protocol=udp" {
			return []byte("   500  500\r\n"), nil
		}
		return en, nil
	}}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rs, err := c.Get(context.Background(), t0)
	if err == nil || !strings.Contains(err.Error(), "ipv6") {
		t.Errorf("err = %v, want the ipv6 failures reported", err)
	}
	if len(rs) != 5 || len(calls) != 4 {
		t.Fatalf("%d ranges from %d netsh runs, want 5 from 4", len(rs), len(calls))
	}
	for _, a := range calls {
		if a[0] != "int" || a[3] != "excludedportrange" {
			t.Fatalf("argv %q", a)
		}
	}
	if _, _ = c.Get(context.Background(), t0.Add(10*time.Second)); len(calls) != 4 {
		t.Errorf("netsh ran again within the TTL")
	}
	if _, _ = c.Get(context.Background(), t0.Add(2*time.Minute)); len(calls) != 8 {
		t.Errorf("netsh did not run again after the TTL")
	}
}

func FuzzParseExcludedRanges(f *testing.F) {
	b, _ := os.ReadFile("testdata/ja-JP_ipv4_tcp.txt")
	f.Add(b)
	f.Add([]byte("1 2 *\n65535 65535\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		rs, err := Parse(bytes.NewReader(in), "udp")
		if err != nil {
			return
		}
		if len(rs) > maxRanges {
			t.Fatalf("%d ranges", len(rs))
		}
		for _, r := range rs {
			if r.Start == 0 || r.End < r.Start {
				t.Fatalf("bad range %v", r)
			}
		}
	})
}

func BenchmarkParseExcludedRanges(b *testing.B) {
	in, err := os.ReadFile("testdata/en-US_ipv4_tcp.txt")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(in), "tcp"); err != nil {
			b.Fatal(err)
		}
	}
}
