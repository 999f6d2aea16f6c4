package wintable

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"reflect"
	"testing"
)

func u32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// nport is a DWORD holding a port in network byte order in its low 16 bits.
func nport(p uint16) []byte { return []byte{byte(p >> 8), byte(p), 0, 0} }

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func ip4(s string) []byte { a := netip.MustParseAddr(s).As4(); return a[:] }
func ip6(s string) []byte { a := netip.MustParseAddr(s).As16(); return a[:] }

// Rows as iphlpapi lays them out (the documented layout, not the decoder's
// own reading of it): a listener's remote fields are ignored, a link-local
// address gets its scope as zone, and ports filter.
func TestDecode(t *testing.T) {
	tcp4 := cat(u32(2),
		u32(2), ip4("0.0.0.0"), nport(1194), ip4("9.9.9.9"), nport(7), u32(3120), // listener
		u32(5), ip4("192.168.1.5"), nport(1194), ip4("203.0.113.9"), nport(443), u32(77))
	got, err := Decode(TCP4, tcp4, map[uint16]bool{1194: true}, nil)
	want := []Row{
		{TCP: true, State: 2, Local: netip.MustParseAddrPort("0.0.0.0:1194"), PID: 3120},
		{TCP: true, State: 5, Local: netip.MustParseAddrPort("192.168.1.5:1194"), Remote: netip.MustParseAddrPort("203.0.113.9:443"), PID: 77},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("tcp4: %+v, %v", got, err)
	}
	udp6 := cat(u32(1), ip6("fe80::1"), u32(3), nport(500), u32(0))
	got, err = Decode(UDP6, udp6, nil, nil)
	if err != nil || len(got) != 1 || got[0].Local != netip.MustParseAddrPort("[fe80::1%3]:500") || got[0].TCP || got[0].PID != 0 {
		t.Errorf("udp6: %+v, %v", got, err)
	}
	if TCP4.RowSize() != 24 || TCP6.RowSize() != 56 || UDP4.RowSize() != 12 || UDP6.RowSize() != 28 {
		t.Error("row sizes")
	}
	if _, err := Decode(TCP4, cat(u32(0xffffffff), make([]byte, 24)), nil, nil); !errors.Is(err, ErrShort) {
		t.Errorf("huge count: %v", err)
	}
	if _, err := Decode(Kind(9), u32(0), nil, nil); err == nil {
		t.Error("unknown layout decoded")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(uint8(TCP6), cat(u32(1), ip6("fe80::1"), u32(3), nport(1194), ip6("::"), u32(0), nport(0), u32(2), u32(1)))
	f.Add(uint8(UDP4), cat(u32(1), ip4("1.2.3.4"), nport(1), u32(0)))
	f.Fuzz(func(t *testing.T, kind uint8, buf []byte) {
		k := Kind(kind % 4)
		got, err := Decode(k, buf, nil, nil)
		if err != nil {
			return
		}
		if max := (len(buf) - 4) / k.RowSize(); len(got) > max {
			t.Fatalf("%d rows from %d bytes (at most %d fit)", len(got), len(buf), max)
		}
		for _, r := range got {
			if !r.Local.IsValid() {
				t.Fatalf("invalid local address in %+v", r)
			}
		}
	})
}
