package portnum

import (
	"errors"
	"strconv"
	"testing"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint16
		ok   bool
		zero bool
	}{
		{"1", 1, true, false}, {"80", 80, true, false}, {"65535", 65535, true, false}, {"0080", 80, true, false},
		{"0", 0, false, true}, {"00", 0, false, true}, {"65536", 0, false, false}, {"99999999999999999999", 0, false, false},
		{"+80", 0, false, false}, {"-1", 0, false, false}, {" 80", 0, false, false}, {"80 ", 0, false, false},
		{"0x50", 0, false, false}, {"", 0, false, false}, {"８０", 0, false, false}, {"1_000", 0, false, false},
	} {
		got, err := Parse(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("Parse(%q) = %d, %v; want %d ok=%v", c.in, got, err, c.want, c.ok)
		}
		if errors.Is(err, ErrZero) != c.zero {
			t.Errorf("Parse(%q): errors.Is(ErrZero) = %v", c.in, !c.zero)
		}
	}
}

func TestParseRange(t *testing.T) {
	for _, c := range []struct {
		in     string
		lo, hi uint16
		ok     bool
	}{
		{"1000-2000", 1000, 2000, true}, {"22", 22, 22, true}, {"5-5", 5, 5, true},
		{"2000-1000", 0, 0, false}, {"1000-", 0, 0, false}, {"-5", 0, 0, false}, {"1-2-3", 0, 0, false}, {"0-10", 0, 0, false},
	} {
		lo, hi, err := ParseRange(c.in)
		if (err == nil) != c.ok || lo != c.lo || hi != c.hi {
			t.Errorf("ParseRange(%q) = %d, %d, %v", c.in, lo, hi, err)
		}
	}
}

// FuzzParse holds Parse to strconv's reading of plain digits: whatever it
// accepts is exactly what strconv reads, and it never accepts a sign.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"80", "+80", "0", "65536", "0080", " 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		n, serr := strconv.ParseUint(s, 10, 16)
		if serr != nil || uint16(n) != p || p == 0 || s[0] == '+' {
			t.Fatalf("Parse(%q) = %d; strconv says %d, %v", s, p, n, serr)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		_, _ = Parse("51820")
	}
}
