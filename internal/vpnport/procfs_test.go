package vpnport

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func procFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "proc", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseSocketLink(t *testing.T) {
	for in, want := range map[string]uint64{
		"socket:[36696]":                0 + 36696,
		"socket:[0]":                    0,
		"socket:[18446744073709551615]": 1<<64 - 1,
	} {
		if got, ok := parseSocketLink([]byte(in)); !ok || got != want {
			t.Errorf("%q = %d %v, want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "socket:[]", "socket:[12", "socket:12]", "pipe:[39592]", "/dev/null",
		"socket:[18446744073709551616]", "socket:[1x]", "anon_inode:[eventpoll]"} {
		if n, ok := parseSocketLink([]byte(in)); ok {
			t.Errorf("%q parsed as %d", in, n)
		}
	}
}

func TestProcPID(t *testing.T) {
	for in, want := range map[string]int{"1": 1, "4194304": 4194304, "2147483647": 1<<31 - 1} {
		if got, ok := procPID([]byte(in)); !ok || got != want {
			t.Errorf("%q = %d %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "0", "self", "thread-self", "1a", "2147483648", "-1", "."} {
		if _, ok := procPID([]byte(in)); ok {
			t.Errorf("%q accepted as a PID", in)
		}
	}
}

func TestParseProcStat(t *testing.T) {
	for name, want := range map[string]procStat{
		// comm "x) y (z": fields must be counted from the last ')'.
		"stat_paren_comm.txt": {PPID: 32023, StartTicks: 85394},
		"stat_pid1.txt":       {PPID: 0, StartTicks: 24},
	} {
		got, err := parseProcStat(procFixture(t, name))
		if err != nil || got != want {
			t.Errorf("%s: %+v %v, want %+v", name, got, err, want)
		}
	}
	for _, in := range []string{"", "1 (a) S", "1 (a) S x 1 1", "1 (a) S 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 zz 1"} {
		if st, err := parseProcStat([]byte(in)); err == nil {
			t.Errorf("%q parsed as %+v", in, st)
		}
	}
}

func TestParseBootTime(t *testing.T) {
	if got, ok := parseBootTime(procFixture(t, "proc_stat.txt")); !ok || got != 1795594731 {
		t.Errorf("btime = %d %v", got, ok)
	}
	for _, in := range []string{"", "cpu 1 2 3\n", "btime x\n", "btime 99999999999999999999999\n"} {
		if got, ok := parseBootTime([]byte(in)); ok {
			t.Errorf("%q: btime %d", in, got)
		}
	}
}

func TestParseStatusUID(t *testing.T) {
	if got, ok := parseStatusUID(procFixture(t, "status_sleep.txt")); !ok || got != 0 {
		t.Errorf("uid = %d %v", got, ok)
	}
	// Real, effective, saved, fs: the effective one counts (a setuid program).
	if got, ok := parseStatusUID([]byte("Name:\tx\nUid:\t1000\t0\t0\t0\nGid:\t1\n")); !ok || got != 0 {
		t.Errorf("setuid: uid = %d %v, want effective 0", got, ok)
	}
	for _, in := range []string{"", "Name:\tx\nUid:\t1000\n", "Name:\tx\nUid:\t1\t4294967296\n"} {
		if got, ok := parseStatusUID([]byte(in)); ok {
			t.Errorf("%q: uid %d", in, got)
		}
	}
}

func TestProcSplitCmdline(t *testing.T) {
	for name, want := range map[string][]string{
		"cmdline_sleep.bin":    {"/tmp/x) y (z", "30"},
		"cmdline_ssh.bin":      {"ssh", "-N", "-L", "127.0.0.1:8080:db:5432", "user@host name"},
		"cmdline_retitled.bin": {"nginx: worker process"},
	} {
		if got := procSplitCmdline(procFixture(t, name)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if got := procSplitCmdline(nil); got != nil {
		t.Errorf("kernel thread: %q, want nil", got)
	}
	if got := procSplitCmdline([]byte("a\x00\x00b\x00")); !reflect.DeepEqual(got, []string{"a", "", "b"}) {
		t.Errorf("empty argument lost: %q", got)
	}
}

func TestNextDirent(t *testing.T) {
	b := procFixture(t, "getdents64.bin")
	var names []string
	for {
		name, rest, ok := nextDirent(b)
		if !ok {
			break
		}
		names = append(names, string(name))
		b = rest
	}
	slices.Sort(names)
	want := []string{".", "..", "0", "1", "10", "2", "socket-ish", strings.Repeat("x", 200)}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("names = %q", names)
	}
	if _, _, ok := nextDirent(make([]byte, 18)); ok {
		t.Error("short record accepted")
	}
	bad := make([]byte, 40)
	nlEndian.PutUint16(bad[16:], 41) // reclen past the buffer
	if _, _, ok := nextDirent(bad); ok {
		t.Error("record longer than the buffer accepted")
	}
}

func FuzzProcParsers(f *testing.F) {
	for _, name := range []string{"stat_paren_comm.txt", "stat_pid1.txt", "proc_stat.txt", "status_sleep.txt",
		"cmdline_ssh.bin", "getdents64.bin"} {
		f.Add(procFixture(f, name))
	}
	f.Add([]byte("socket:[12]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseSocketLink(b)
		procPID(b)
		parseProcStat(b)
		parseBootTime(b)
		parseStatusUID(b)
		if args := procSplitCmdline(b); len(args) > len(b) {
			t.Fatalf("%d args from %d bytes", len(args), len(b))
		}
		n := 0
		for rest := b; ; n++ {
			_, r, ok := nextDirent(rest)
			if !ok {
				break
			}
			if len(r) >= len(rest) {
				t.Fatal("nextDirent made no progress")
			}
			rest = r
		}
	})
}
