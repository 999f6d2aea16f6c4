package lsof

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParsePort(t *testing.T) {
	procs, err := Parse(bytes.NewReader(readFixture(t, "macos14_port1194.txt")))
	if err != nil {
		t.Fatal(err)
	}
	if len(procs) != 3 || procs[1].Cmd != "ssh" || procs[1].Login != "alice" || procs[1].UID != 501 ||
		procs[1].PPID != 700 || len(procs[1].Files) != 3 || procs[2].Cmd != "Google Chrome H" {
		t.Fatalf("procs = %+v", procs)
	}
	for _, f := range procs[1].Files {
		local, remote, ok := f.Addrs()
		if !ok || !local.IsValid() || f.Connected() != remote.IsValid() {
			t.Errorf("%+v: local %v remote %v ok %v connected %v", f, local, remote, ok, f.Connected())
		}
	}
}

func TestFileAddrs(t *testing.T) {
	for _, tc := range []struct {
		f             File
		local, remote string
		ok, connected bool
	}{
		{File{Type: "IPv4", Name: "*:1194"}, "0.0.0.0:1194", "", true, false},
		{File{Type: "IPv6", Name: "*:1194"}, "[::]:1194", "", true, false},
		{File{Type: "IPv6", Name: "[fe80::1%lo0]:1194"}, "[fe80::1%lo0]:1194", "", true, false},
		{File{Type: "IPv4", Name: "127.0.0.1:50000->10.0.0.2:1194"}, "127.0.0.1:50000", "10.0.0.2:1194", true, true},
		{File{Type: "IPv4", Name: "127.0.0.1:50000->bad"}, "127.0.0.1:50000", "", true, true},
		{File{Type: "IPv4", Name: "/dev/cu.x"}, "", "", false, false},
	} {
		local, remote, ok := tc.f.Addrs()
		want := func(s string) netip.AddrPort {
			if s == "" {
				return netip.AddrPort{}
			}
			return netip.MustParseAddrPort(s)
		}
		if ok != tc.ok || ok && (local != want(tc.local) || remote != want(tc.remote)) || tc.f.Connected() != tc.connected {
			t.Errorf("%q: %v %v %v connected %v", tc.f.Name, local, remote, ok, tc.f.Connected())
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{"f3\n", "pabc\n", "p1\nuroot\n"} {
		if _, err := Parse(strings.NewReader(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestParseNetstatTimeWait(t *testing.T) {
	got, err := ParseNetstatTimeWait(bytes.NewReader(readFixture(t, "macos14_netstat.txt")), map[uint16]bool{1194: true, 22: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []TimeWait{
		{Local: netip.MustParseAddrPort("127.0.0.1:1194"), Remote: netip.MustParseAddrPort("127.0.0.1:52344")},
		{Local: netip.MustParseAddrPort("[fe80::1%lo0]:1194"), Remote: netip.MustParseAddrPort("[fe80::1%lo0]:60001")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func FuzzParseLsof(f *testing.F) {
	f.Add(readFixture(f, "macos14_port1194.txt"))
	f.Add(readFixture(f, "macos14_netstat.txt"))
	f.Fuzz(func(t *testing.T, in []byte) {
		if procs, err := Parse(bytes.NewReader(in)); err == nil && len(procs) > Max {
			t.Fatalf("%d procs", len(procs))
		}
		if tw, err := ParseNetstatTimeWait(bytes.NewReader(in), map[uint16]bool{1194: true}); err == nil {
			for _, s := range tw {
				if s.Local.Port() != 1194 {
					t.Fatalf("%+v", s)
				}
			}
		}
	})
}

func BenchmarkParseLsof(b *testing.B) {
	in := readFixture(b, "macos14_port1194.txt")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(in)); err != nil {
			b.Fatal(err)
		}
	}
}
