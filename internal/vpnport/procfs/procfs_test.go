package procfs

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func procFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSocketInode(t *testing.T) {
	for in, want := range map[string]uint64{
		"socket:[36696]":                0 + 36696,
		"socket:[0]":                    0,
		"socket:[18446744073709551615]": 1<<64 - 1,
	} {
		if got, ok := SocketInode([]byte(in)); !ok || got != want {
			t.Errorf("%q = %d %v, want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "socket:[]", "socket:[12", "socket:12]", "pipe:[39592]", "/dev/null",
		"socket:[18446744073709551616]", "socket:[1x]", "anon_inode:[eventpoll]"} {
		if n, ok := SocketInode([]byte(in)); ok {
			t.Errorf("%q parsed as %d", in, n)
		}
	}
}

func TestPID(t *testing.T) {
	for in, want := range map[string]int{"1": 1, "4194304": 4194304, "2147483647": 1<<31 - 1} {
		if got, ok := PID([]byte(in)); !ok || got != want {
			t.Errorf("%q = %d %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "0", "self", "thread-self", "1a", "2147483648", "-1", "."} {
		if _, ok := PID([]byte(in)); ok {
			t.Errorf("%q accepted as a PID", in)
		}
	}
}

func TestParseStat(t *testing.T) {
	for name, want := range map[string]Stat{
		// comm "x) y (z": fields must be counted from the last ')'.
		"stat_paren_comm.txt": {PPID: 32023, StartTicks: 85394},
		"stat_pid1.txt":       {PPID: 0, StartTicks: 24},
	} {
		got, err := ParseStat(procFixture(t, name))
		if err != nil || got != want {
			t.Errorf("%s: %+v %v, want %+v", name, got, err, want)
		}
	}
	for _, in := range []string{"", "1 (a) S", "1 (a) S x 1 1", "1 (a) S 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 zz 1"} {
		if st, err := ParseStat([]byte(in)); err == nil {
			t.Errorf("%q parsed as %+v", in, st)
		}
	}
}

func TestParseBootTime(t *testing.T) {
	if got, ok := ParseBootTime(procFixture(t, "proc_stat.txt")); !ok || got != 1795594731 {
		t.Errorf("btime = %d %v", got, ok)
	}
	for _, in := range []string{"", "cpu 1 2 3\n", "btime x\n", "btime 99999999999999999999999\n"} {
		if got, ok := ParseBootTime([]byte(in)); ok {
			t.Errorf("%q: btime %d", in, got)
		}
	}
}

func TestParseStatusUID(t *testing.T) {
	if got, ok := ParseStatusUID(procFixture(t, "status_sleep.txt")); !ok || got != 0 {
		t.Errorf("uid = %d %v", got, ok)
	}
	// Real, effective, saved, fs: the effective one counts (a setuid program).
	if got, ok := ParseStatusUID([]byte("Name:\tx\nUid:\t1000\t0\t0\t0\nGid:\t1\n")); !ok || got != 0 {
		t.Errorf("setuid: uid = %d %v, want effective 0", got, ok)
	}
	for _, in := range []string{"", "Name:\tx\nUid:\t1000\n", "Name:\tx\nUid:\t1\t4294967296\n"} {
		if got, ok := ParseStatusUID([]byte(in)); ok {
			t.Errorf("%q: uid %d", in, got)
		}
	}
}

func TestSplitCmdline(t *testing.T) {
	for name, want := range map[string][]string{
		"cmdline_sleep.bin":    {"/tmp/x) y (z", "30"},
		"cmdline_ssh.bin":      {"ssh", "-N", "-L", "127.0.0.1:8080:db:5432", "user@host name"},
		"cmdline_retitled.bin": {"nginx: worker process"},
	} {
		if got := SplitCmdline(procFixture(t, name)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if got := SplitCmdline(nil); got != nil {
		t.Errorf("kernel thread: %q, want nil", got)
	}
	if got := SplitCmdline([]byte("a\x00\x00b\x00")); !reflect.DeepEqual(got, []string{"a", "", "b"}) {
		t.Errorf("empty argument lost: %q", got)
	}
}

func TestNextDirent(t *testing.T) {
	b := procFixture(t, "getdents64.bin")
	var names []string
	for {
		d, rest, ok := NextDirent(b)
		if !ok {
			break
		}
		if d.Ino == 0 {
			t.Errorf("%q: d_ino 0", d.Name)
		}
		names = append(names, string(d.Name))
		b = rest
	}
	slices.Sort(names)
	want := []string{".", "..", "0", "1", "10", "2", "socket-ish", strings.Repeat("x", 200)}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("names = %q", names)
	}
	if _, _, ok := NextDirent(make([]byte, 18)); ok {
		t.Error("short record accepted")
	}
	bad := make([]byte, 40)
	binary.NativeEndian.PutUint16(bad[16:], 41) // reclen past the buffer
	if _, _, ok := NextDirent(bad); ok {
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
		SocketInode(b)
		PID(b)
		ParseStat(b)
		ParseBootTime(b)
		ParseStatusUID(b)
		ParseCgroupUnit(b)
		HidesPIDs(b, "/proc")
		if args := SplitCmdline(b); len(args) > len(b) {
			t.Fatalf("%d args from %d bytes", len(args), len(b))
		}
		n := 0
		for rest := b; ; n++ {
			_, r, ok := NextDirent(rest)
			if !ok {
				break
			}
			if len(r) >= len(rest) {
				t.Fatal("NextDirent made no progress")
			}
			rest = r
		}
	})
}

func TestHidesPIDs(t *testing.T) {
	const base = "22 1 0:5 / /sys rw,nosuid - sysfs sysfs rw\n"
	for mi, want := range map[string]bool{
		base + "23 1 0:20 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n":           false,
		base + "23 1 0:20 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw,hidepid=2\n": true,
		base + "23 1 0:20 / /proc rw,relatime - proc proc rw,hidepid=invisible,gid=4\n":                 true,
		base + "23 1 0:20 / /proc rw,relatime - proc proc rw,hidepid=1\n":                               false, // listed, unreadable
		base + "23 1 0:20 / /proc rw - proc proc rw,hidepid=2\n24 1 0:21 / /proc rw - proc proc rw\n":   false, // remounted over
		base + "23 1 0:20 / /mnt/otherproc rw - proc proc rw,hidepid=2\n":                               false,
		"garbage line\n - \n": false,
	} {
		if got := HidesPIDs([]byte(mi), "/proc"); got != want {
			t.Errorf("HidesPIDs(%q) = %v, want %v", mi, got, want)
		}
	}
}

func FuzzHidesPIDs(f *testing.F) {
	f.Add([]byte("23 1 0:20 / /proc rw - proc proc rw,hidepid=2\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		HidesPIDs(b, "/proc")
	})
}
