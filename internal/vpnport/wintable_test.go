package vpnport

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"reflect"
	"testing"

	"github.com/traycheck/traycheck/internal/vpnport/wintable"
)

// winTableBuilder writes rows the way iphlpapi lays them out in memory, so the
// tests check the decoder against the documented layout, not against itself.
type winTableBuilder struct{ rows [][]byte }

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

// winDecodeTable is the probe's path from a table's bytes to sockets:
// wintable decodes, winSockets converts.
func winDecodeTable(kind wintable.Kind, buf []byte, ports map[uint16]bool, dst []Socket) ([]Socket, error) {
	rows, err := wintable.Decode(kind, buf, ports, nil)
	if err != nil {
		return dst, err
	}
	return winSockets(rows, dst), nil
}

func (w *winTableBuilder) add(row []byte) { w.rows = append(w.rows, row) }

func (w *winTableBuilder) bytes() []byte {
	return cat(append([][]byte{u32(uint32(len(w.rows)))}, w.rows...)...)
}

func ip4(s string) []byte { a := netip.MustParseAddr(s).As4(); return a[:] }
func ip6(s string) []byte { a := netip.MustParseAddr(s).As16(); return a[:] }

func tcp4Row(state uint32, l string, lp uint16, r string, rp uint16, pid uint32) []byte {
	return cat(u32(state), ip4(l), nport(lp), ip4(r), nport(rp), u32(pid))
}

func tcp6Row(l string, lscope uint32, lp uint16, r string, rp uint16, state, pid uint32) []byte {
	return cat(ip6(l), u32(lscope), nport(lp), ip6(r), u32(0), nport(rp), u32(state), u32(pid))
}

func TestWinRowSizesMatchBuilder(t *testing.T) {
	if got := len(tcp4Row(2, "0.0.0.0", 1, "0.0.0.0", 0, 1)); got != wintable.TCP4.RowSize() {
		t.Fatalf("tcp4 row %d bytes, decoder expects %d", got, wintable.TCP4.RowSize())
	}
	if got := len(tcp6Row("::", 0, 1, "::", 0, 2, 1)); got != wintable.TCP6.RowSize() {
		t.Fatalf("tcp6 row %d bytes, decoder expects %d", got, wintable.TCP6.RowSize())
	}
	if got := len(cat(ip6("::"), u32(0), nport(1), u32(1))); got != wintable.UDP6.RowSize() {
		t.Fatalf("udp6 row %d bytes, decoder expects %d", got, wintable.UDP6.RowSize())
	}
}

func TestWinDecodeTCP4(t *testing.T) {
	var w winTableBuilder
	w.add(tcp4Row(2, "0.0.0.0", 1194, "0.0.0.0", 0, 3120))                      // listener
	w.add(tcp4Row(5, "192.168.1.5", 50123, "203.0.113.9", 443, 77))             // other port
	w.add(tcp4Row(11, "127.0.0.1", 1194, "127.0.0.1", 61000, wintable.PIDIdle)) // TIME_WAIT, no owner
	w.add(tcp4Row(2, "0.0.0.0", 80, "0.0.0.0", 0, wintable.PIDSystem))          // HTTP.sys
	w.add(tcp4Row(99, "10.0.0.1", 1194, "10.0.0.2", 65535, 4294967295>>1))      // unknown state
	got, err := winDecodeTable(wintable.TCP4, w.bytes(), map[uint16]bool{1194: true, 80: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []Socket{
		{Proto: TCP, State: StateListen, Local: netip.MustParseAddrPort("0.0.0.0:1194"), PIDs: []int{3120}},
		{Proto: TCP, State: StateTimeWait, Local: netip.MustParseAddrPort("127.0.0.1:1194"),
			Remote: netip.MustParseAddrPort("127.0.0.1:61000")},
		{Proto: TCP, State: StateListen, Local: netip.MustParseAddrPort("0.0.0.0:80"), PIDs: []int{4}},
		{Proto: TCP, State: "STATE_99", Local: netip.MustParseAddrPort("10.0.0.1:1194"),
			Remote: netip.MustParseAddrPort("10.0.0.2:65535"), PIDs: []int{2147483647}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func TestWinDecodeTCP6(t *testing.T) {
	var w winTableBuilder
	w.add(tcp6Row("::", 0, 8443, "::", 0, 2, 900))
	w.add(tcp6Row("fe80::1", 12, 8443, "fe80::2", 50000, 5, 901))
	w.add(tcp6Row("2001:db8::1", 0, 22, "2001:db8::2", 40000, 5, 902))
	got, err := winDecodeTable(wintable.TCP6, w.bytes(), map[uint16]bool{8443: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []Socket{
		{Proto: TCP, State: StateListen, Local: netip.MustParseAddrPort("[::]:8443"), PIDs: []int{900}},
		{Proto: TCP, State: StateEstablished, Local: netip.MustParseAddrPort("[fe80::1%12]:8443"),
			Remote: netip.MustParseAddrPort("[fe80::2]:50000"), PIDs: []int{901}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func TestWinDecodeUDP(t *testing.T) {
	var w4 winTableBuilder
	w4.add(cat(ip4("0.0.0.0"), nport(1194), u32(5000)))
	w4.add(cat(ip4("0.0.0.0"), nport(500), u32(1300)))
	got, err := winDecodeTable(wintable.UDP4, w4.bytes(), map[uint16]bool{1194: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var w6 winTableBuilder
	w6.add(cat(ip6("::"), u32(0), nport(1194), u32(5001)))
	got, err = winDecodeTable(wintable.UDP6, w6.bytes(), nil, got)
	if err != nil {
		t.Fatal(err)
	}
	want := []Socket{
		{Proto: UDP, State: StateUnconn, Local: netip.MustParseAddrPort("0.0.0.0:1194"), PIDs: []int{5000}},
		{Proto: UDP, State: StateUnconn, Local: netip.MustParseAddrPort("[::]:1194"), PIDs: []int{5001}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func TestWinDecodeRejectsTruncated(t *testing.T) {
	var w winTableBuilder
	w.add(tcp4Row(2, "0.0.0.0", 1194, "0.0.0.0", 0, 1))
	w.add(tcp4Row(2, "0.0.0.0", 1195, "0.0.0.0", 0, 1))
	b := w.bytes()
	for _, cut := range []int{0, 3, 4, len(b) - 1} {
		if _, err := winDecodeTable(wintable.TCP4, b[:cut], nil, nil); err == nil {
			t.Errorf("%d of %d bytes: no error", cut, len(b))
		}
	}
	huge := cat(u32(0xFFFFFFFF), b[4:])
	if _, err := winDecodeTable(wintable.TCP4, huge, nil, nil); !errors.Is(err, wintable.ErrShort) {
		t.Errorf("entry count 2^32-1: err %v, want wintable.ErrShort", err)
	}
	// Extra bytes after the last row are what the OS leaves when the table
	// shrank between the size query and the read: fine.
	got, err := winDecodeTable(wintable.TCP4, append(b, 0, 0, 0), nil, nil)
	if err != nil || len(got) != 2 {
		t.Errorf("trailing slack: %d sockets, err %v", len(got), err)
	}
}

func BenchmarkWinDecodeTCP4(b *testing.B) {
	var w winTableBuilder
	for i := range 2000 {
		w.add(tcp4Row(5, "192.168.1.5", uint16(40000+i), "203.0.113.9", 443, uint32(i)))
	}
	w.add(tcp4Row(2, "0.0.0.0", 1194, "0.0.0.0", 0, 3120))
	buf := w.bytes()
	ports := map[uint16]bool{1194: true}
	var dst []Socket
	b.ReportAllocs()
	for b.Loop() {
		dst, _ = winDecodeTable(wintable.TCP4, buf, ports, dst[:0])
	}
}
