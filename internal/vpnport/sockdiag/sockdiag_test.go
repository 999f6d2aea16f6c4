package sockdiag

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport/netlink"
)

var fixtures = []string{"tcp4_listen_estab", "tcp4_timewait", "tcp6_mapped", "udp6_unconn", "udp4_empty"}

// buildDiagMsg hand-builds one SOCK_DIAG_BY_FAMILY reply message.
func buildDiagMsg(seq uint32, family, state uint8, local, remote netip.AddrPort, expires, uid, inode uint32) []byte {
	m := make([]byte, msgLen)
	m[0], m[1] = family, state
	binary.BigEndian.PutUint16(m[4:], local.Port())
	binary.BigEndian.PutUint16(m[6:], remote.Port())
	if family == AFInet {
		a, r := local.Addr().As4(), remote.Addr().As4()
		copy(m[8:], a[:])
		copy(m[24:], r[:])
	} else {
		a, r := local.Addr().As16(), remote.Addr().As16()
		copy(m[8:], a[:])
		copy(m[24:], r[:])
	}
	netlink.Endian.PutUint32(m[52:], expires)
	netlink.Endian.PutUint32(m[64:], uid)
	netlink.Endian.PutUint32(m[68:], inode)
	return buildNlmsg(sockDiagByFam, seq, m)
}

func buildNlmsg(typ uint16, seq uint32, body []byte) []byte {
	b := netlink.AppendHeader(nil, len(body), typ, netlink.FMulti, seq)
	b = append(b, body...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func TestDecodeHandBuilt(t *testing.T) {
	l4 := netip.MustParseAddrPort("10.0.0.2:1194")
	r4 := netip.MustParseAddrPort("192.0.2.7:51000")
	l6 := netip.MustParseAddrPort("[2001:db8::1]:500")
	var b []byte
	b = append(b, buildDiagMsg(7, AFInet, 10, l4, netip.AddrPortFrom(netip.IPv4Unspecified(), 0), 0, 1000, 42)...)
	b = append(b, buildDiagMsg(6, AFInet, 1, l4, r4, 0, 0, 99)...) // stale dump: skipped
	b = append(b, buildDiagMsg(7, AFInet, 6, l4, r4, 41_500, 0, 0)...)
	b = append(b, buildDiagMsg(7, AFInet6, 7, l6, netip.AddrPortFrom(netip.IPv6Unspecified(), 0), 0, 0, 43)...)
	b = append(b, buildNlmsg(netlink.TypeDone, 7, []byte{0, 0, 0, 0})...)
	got, done, err := Decode(nil, b, 7)
	if err != nil || !done {
		t.Fatalf("done=%v err=%v", done, err)
	}
	want := []Entry{
		{Family: AFInet, State: 10, Local: l4, UID: 1000, Inode: 42},
		{Family: AFInet, State: 6, Local: l4, Remote: r4, Expires: 41500 * time.Millisecond},
		{Family: AFInet6, State: 7, Local: l6, Inode: 43},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
}

func TestDecodeErrors(t *testing.T) {
	errno := func(e int32) []byte { return netlink.Endian.AppendUint32(nil, uint32(e)) }
	for name, tc := range map[string]struct {
		b    []byte
		done bool
		err  error
	}{
		"error reply":       {buildNlmsg(netlink.TypeError, 1, append(errno(-22), make([]byte, 16)...)), true, netlink.Errno(-22)},
		"ack":               {buildNlmsg(netlink.TypeError, 1, errno(0)), true, nil}, // ends a request (a dump is never acked unasked)
		"done with error":   {buildNlmsg(netlink.TypeDone, 1, errno(-2)), true, netlink.Errno(-2)},
		"short error":       {buildNlmsg(netlink.TypeError, 1, nil), true, netlink.ErrTruncated},
		"short diag msg":    {buildNlmsg(sockDiagByFam, 1, make([]byte, 10)), false, netlink.ErrTruncated},
		"length past end":   {append(netlink.Endian.AppendUint32(nil, 400), make([]byte, 12)...), false, netlink.ErrTruncated},
		"length below hdr":  {append(netlink.Endian.AppendUint32(nil, 3), make([]byte, 12)...), false, netlink.ErrTruncated},
		"trailing garbage":  {[]byte{1, 2, 3}, false, nil},
		"other seq's error": {buildNlmsg(netlink.TypeError, 9, errno(-22)), false, nil},
	} {
		_, done, err := Decode(nil, tc.b, 1)
		if done != tc.done || err != tc.err {
			t.Errorf("%s: done=%v err=%v, want %v %v", name, done, err, tc.done, tc.err)
		}
	}
}

func TestAppendRequest(t *testing.T) {
	b := AppendRequest(nil, 5, AFInet6, UDP, AllStates, 0x1234)
	if len(b) != reqV2Size || int(netlink.Endian.Uint32(b)) != len(b) {
		t.Fatalf("len %d, header says %d", len(b), netlink.Endian.Uint32(b))
	}
	if netlink.Endian.Uint16(b[4:]) != sockDiagByFam || netlink.Endian.Uint16(b[6:]) != netlink.FRequest|netlink.FDump || netlink.Endian.Uint32(b[8:]) != 5 {
		t.Errorf("header %x", b[:16])
	}
	r := b[16:]
	if r[0] != AFInet6 || r[1] != UDP || netlink.Endian.Uint32(r[4:]) != 0xffffffff {
		t.Errorf("inet_diag_req_v2 %x", r[:8])
	}
	bc := b[16+reqV2Len:]
	want := []byte{20, 0, 1, 0, // rtattr len 20, INET_DIAG_REQ_BYTECODE
		2, 8, 20, 0, 0, 0, 0x34, 0x12, // S_GE, yes 8, no 20 (reject); port in host order
		3, 8, 12, 0, 0, 0, 0x34, 0x12} // S_LE, yes 8, no 12 (reject)
	if netlink.Endian.Uint16([]byte{1, 0}) == 1 && !bytes.Equal(bc, want) {
		t.Errorf("bytecode\n%v\nwant\n%v", bc, want)
	}
}

func TestAppendCompatRequest(t *testing.T) {
	b := AppendCompatRequest(nil, 9, ListenOnly, 0x1234)
	if len(b) != compatReqSize || int(netlink.Endian.Uint32(b)) != len(b) {
		t.Fatalf("len %d, header says %d", len(b), netlink.Endian.Uint32(b))
	}
	if netlink.Endian.Uint16(b[4:]) != tcpDiagGetSock || netlink.Endian.Uint16(b[6:]) != netlink.FRequest|netlink.FDump || netlink.Endian.Uint32(b[8:]) != 9 {
		t.Errorf("header %x", b[:16])
	}
	// inet_diag_req: family, 3 bytes, 48 bytes of sockid, states, dbs.
	if r := b[16:]; netlink.Endian.Uint32(r[52:]) != ListenOnly || netlink.Endian.Uint32(r[56:]) != 0 {
		t.Errorf("inet_diag_req %x", r[:60])
	}
	// The same port filter as the per-family request.
	v2 := AppendRequest(nil, 9, AFInet, TCP, AllStates, 0x1234)
	if !bytes.Equal(b[16+compatReqLen:], v2[16+reqV2Len:]) {
		t.Errorf("filter %x, want %x", b[16+compatReqLen:], v2[16+reqV2Len:])
	}
	// Its replies are typed TCPDIAG_GETSOCK and decode as the others do.
	msg := make([]byte, msgLen)
	msg[0], msg[1] = AFInet6, 10 // TCP_LISTEN
	es, done, err := Decode(nil, append(buildNlmsg(tcpDiagGetSock, 9, msg), buildNlmsg(netlink.TypeDone, 9, []byte{0, 0, 0, 0})...), 9)
	if err != nil || !done || len(es) != 1 || es[0].State != 10 {
		t.Errorf("decoded %+v done=%v err=%v", es, done, err)
	}
}

// The captures decode whole on every OS: one entry per message, each of
// the capture's port. (What the entries mean is vpnport's golden test.)
func TestDecodeFixtures(t *testing.T) {
	if netlink.Endian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("fixtures were captured on a little-endian kernel")
	}
	for _, name := range fixtures {
		raw, err := os.ReadFile(filepath.Join("testdata", name+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		es, done, err := Decode(nil, raw, 1)
		if err != nil || !done {
			t.Errorf("%s: done=%v err=%v", name, done, err)
		}
		for _, e := range es {
			if e.Local.Port() != es[0].Local.Port() || (e.Family != AFInet && e.Family != AFInet6) {
				t.Errorf("%s: %+v", name, e)
			}
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, name := range fixtures {
		if b, err := os.ReadFile(filepath.Join("testdata", name+".bin")); err == nil {
			f.Add(b)
		}
	}
	f.Add(buildNlmsg(netlink.TypeError, 1, []byte{0xea, 0xff, 0xff, 0xff}))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, _, _ := Decode(nil, b, 1)
		// Each entry needs a full 72-byte message: memory stays bounded by
		// the input.
		if len(es)*minEntryMsgSize > len(b) {
			t.Fatalf("%d entries from %d bytes", len(es), len(b))
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("testdata", "tcp6_mapped.bin"))
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]Entry, 0, 8)
	b.ReportAllocs()
	for b.Loop() {
		dst, _, _ = Decode(dst[:0], raw, 1)
	}
}
