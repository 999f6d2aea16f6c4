package vpnport

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport/netlink"
)

// goldenInetDiag is the expected reading of a captured dump.
type goldenInetDiag struct {
	Port    uint16   `json:"port"`
	Sockets []Socket `json:"sockets"`
}

func TestDecodeInetDiagFixtures(t *testing.T) {
	if nlEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("fixtures were captured on a little-endian kernel")
	}
	// What each capture must contain, whatever its port numbers.
	wantStates := map[string][]State{
		"tcp4_listen_estab": {StateListen, StateEstablished},
		"tcp4_timewait":     {StateTimeWait},
		"tcp6_mapped":       {StateListen, StateEstablished},
		"udp6_unconn":       {StateUnconn},
		"udp4_empty":        nil,
	}
	for name, states := range wantStates {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "inetdiag", name+".bin"))
			if err != nil {
				t.Fatal(err)
			}
			var golden goldenInetDiag
			j, err := os.ReadFile(filepath.Join("testdata", "inetdiag", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(j, &golden); err != nil {
				t.Fatal(err)
			}
			kind := TCP
			if strings.HasPrefix(name, "udp") {
				kind = UDP
			}
			got, done, err := decodeInetDiag(nil, raw, 1, kind)
			if err != nil || !done {
				t.Fatalf("done=%v err=%v", done, err)
			}
			var gotStates []State
			for i, s := range got {
				gotStates = append(gotStates, s.State)
				if s.Local.Port() != golden.Port || s.Proto != kind {
					t.Errorf("socket %d: %+v, want local port %d", i, s, golden.Port)
				}
				if s.State == StateTimeWait && (s.TimerLeft <= 0 || s.TimerLeft > 60*time.Second || s.Inode != 0) {
					t.Errorf("TIME_WAIT %+v: want 0 < timer <= 60s and no inode", s)
				}
				if strings.HasPrefix(name, "tcp6_mapped") && s.State == StateEstablished && !s.Local.Addr().Is4In6() {
					t.Errorf("mapped socket %v: want ::ffff:a.b.c.d", s.Local)
				}
				got[i].TimerLeft = s.TimerLeft.Truncate(time.Second)
			}
			if !reflect.DeepEqual(gotStates, states) {
				t.Errorf("states = %v, want %v", gotStates, states)
			}
			if len(got) != len(golden.Sockets) || len(got) > 0 && !reflect.DeepEqual(got, golden.Sockets) {
				t.Errorf("decoded\n%+v\nwant\n%+v", got, golden.Sockets)
			}
		})
	}
}

// buildDiagMsg hand-builds one SOCK_DIAG_BY_FAMILY reply message.
func buildDiagMsg(seq uint32, family, state uint8, local, remote netip.AddrPort, expires, uid, inode uint32) []byte {
	m := make([]byte, inetDiagMsgLen)
	m[0], m[1] = family, state
	binary.BigEndian.PutUint16(m[4:], local.Port())
	binary.BigEndian.PutUint16(m[6:], remote.Port())
	if family == afInet {
		a, r := local.Addr().As4(), remote.Addr().As4()
		copy(m[8:], a[:])
		copy(m[24:], r[:])
	} else {
		a, r := local.Addr().As16(), remote.Addr().As16()
		copy(m[8:], a[:])
		copy(m[24:], r[:])
	}
	nlEndian.PutUint32(m[52:], expires)
	nlEndian.PutUint32(m[64:], uid)
	nlEndian.PutUint32(m[68:], inode)
	return buildNlmsg(sockDiagByFam, seq, m)
}

func buildNlmsg(typ uint16, seq uint32, body []byte) []byte {
	b := nlEndian.AppendUint32(nil, uint32(nlmsgHdrLen+len(body)))
	b = nlEndian.AppendUint16(b, typ)
	b = nlEndian.AppendUint16(b, 2) // NLM_F_MULTI
	b = nlEndian.AppendUint32(b, seq)
	b = nlEndian.AppendUint32(b, 0)
	b = append(b, body...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func TestDecodeInetDiagHandBuilt(t *testing.T) {
	l4 := netip.MustParseAddrPort("10.0.0.2:1194")
	r4 := netip.MustParseAddrPort("192.0.2.7:51000")
	l6 := netip.MustParseAddrPort("[2001:db8::1]:500")
	var b []byte
	b = append(b, buildDiagMsg(7, afInet, 10, l4, netip.AddrPortFrom(netip.IPv4Unspecified(), 0), 0, 1000, 42)...)
	b = append(b, buildDiagMsg(6, afInet, 1, l4, r4, 0, 0, 99)...) // stale dump: skipped
	b = append(b, buildDiagMsg(7, afInet, 6, l4, r4, 41_500, 0, 0)...)
	b = append(b, buildDiagMsg(7, afInet6, 7, l6, netip.AddrPortFrom(netip.IPv6Unspecified(), 0), 0, 0, 43)...)
	b = append(b, buildDiagMsg(7, afInet6, 200, l6, netip.AddrPortFrom(netip.IPv6Unspecified(), 0), 0, 0, 44)...)
	b = append(b, buildNlmsg(nlmsgDone, 7, []byte{0, 0, 0, 0})...)
	got, done, err := decodeInetDiag(nil, b, 7, TCP)
	if err != nil || !done {
		t.Fatalf("done=%v err=%v", done, err)
	}
	want := []Socket{
		{Proto: TCP, State: StateListen, Local: l4, UID: 1000, Inode: 42},
		{Proto: TCP, State: StateTimeWait, Local: l4, Remote: r4, TimerLeft: 41500 * time.Millisecond},
		{Proto: TCP, State: StateUnconn, Local: l6, Inode: 43},
		{Proto: TCP, State: "STATE_200", Local: l6, Inode: 44},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
}

func TestDecodeInetDiagErrors(t *testing.T) {
	errno := func(e int32) []byte { return nlEndian.AppendUint32(nil, uint32(e)) }
	for name, tc := range map[string]struct {
		b    []byte
		done bool
		err  error
	}{
		"error reply":       {buildNlmsg(nlmsgError, 1, append(errno(-22), make([]byte, 16)...)), true, netlink.Errno(-22)},
		"ack":               {buildNlmsg(nlmsgError, 1, errno(0)), true, nil}, // ends a request (a dump is never acked unasked)
		"done with error":   {buildNlmsg(nlmsgDone, 1, errno(-2)), true, netlink.Errno(-2)},
		"short error":       {buildNlmsg(nlmsgError, 1, nil), true, netlink.ErrTruncated},
		"short diag msg":    {buildNlmsg(sockDiagByFam, 1, make([]byte, 10)), false, netlink.ErrTruncated},
		"length past end":   {append(nlEndian.AppendUint32(nil, 400), make([]byte, 12)...), false, netlink.ErrTruncated},
		"length below hdr":  {append(nlEndian.AppendUint32(nil, 3), make([]byte, 12)...), false, netlink.ErrTruncated},
		"trailing garbage":  {[]byte{1, 2, 3}, false, nil},
		"other seq's error": {buildNlmsg(nlmsgError, 9, errno(-22)), false, nil},
	} {
		_, done, err := decodeInetDiag(nil, tc.b, 1, UDP)
		if done != tc.done || !errors.Is(err, tc.err) && err != tc.err {
			t.Errorf("%s: done=%v err=%v, want %v %v", name, done, err, tc.done, tc.err)
		}
	}
	if got := netlink.Errno(-22).Error(); got != "netlink: kernel error 22" {
		t.Errorf("errno text %q", got)
	}
}

func TestAppendInetDiagReq(t *testing.T) {
	b := appendInetDiagReq(nil, 5, afInet6, ipprotoUDP, 0x1234)
	if len(b) != inetDiagReqSize || int(nlEndian.Uint32(b)) != len(b) {
		t.Fatalf("len %d, header says %d", len(b), nlEndian.Uint32(b))
	}
	if nlEndian.Uint16(b[4:]) != sockDiagByFam || nlEndian.Uint16(b[6:]) != nlmFRequest|nlmFDump || nlEndian.Uint32(b[8:]) != 5 {
		t.Errorf("header %x", b[:16])
	}
	r := b[16:]
	if r[0] != afInet6 || r[1] != ipprotoUDP || nlEndian.Uint32(r[4:]) != 0xffffffff {
		t.Errorf("inet_diag_req_v2 %x", r[:8])
	}
	bc := b[16+inetDiagReqLen:]
	want := []byte{20, 0, 1, 0, // rtattr len 20, INET_DIAG_REQ_BYTECODE
		2, 8, 20, 0, 0, 0, 0x34, 0x12, // S_GE, yes 8, no 20 (reject); port in host order
		3, 8, 12, 0, 0, 0, 0x34, 0x12} // S_LE, yes 8, no 12 (reject)
	if nlEndian.Uint16([]byte{1, 0}) == 1 && !bytes.Equal(bc, want) {
		t.Errorf("bytecode\n%v\nwant\n%v", bc, want)
	}
}

func TestAppendTCPDiagReq(t *testing.T) {
	b := appendTCPDiagReq(nil, 9, inetDiagListenOnly, 0x1234)
	if len(b) != tcpDiagReqSize || int(nlEndian.Uint32(b)) != len(b) {
		t.Fatalf("len %d, header says %d", len(b), nlEndian.Uint32(b))
	}
	if nlEndian.Uint16(b[4:]) != tcpDiagGetSock || nlEndian.Uint16(b[6:]) != nlmFRequest|nlmFDump || nlEndian.Uint32(b[8:]) != 9 {
		t.Errorf("header %x", b[:16])
	}
	// inet_diag_req: family, 3 bytes, 48 bytes of sockid, states, dbs.
	if r := b[16:]; nlEndian.Uint32(r[52:]) != inetDiagListenOnly || nlEndian.Uint32(r[56:]) != 0 {
		t.Errorf("inet_diag_req %x", r[:60])
	}
	// The same port filter as the per-family request.
	v2 := appendInetDiagReq(nil, 9, afInet, ipprotoTCP, 0x1234)
	if !bytes.Equal(b[16+60:], v2[16+inetDiagReqLen:]) {
		t.Errorf("filter %x, want %x", b[16+60:], v2[16+inetDiagReqLen:])
	}
	// Its replies are typed TCPDIAG_GETSOCK and decode as the others do.
	msg := make([]byte, inetDiagMsgLen)
	msg[0], msg[1] = afInet6, 10 // TCP_LISTEN
	socks, done, err := decodeInetDiag(nil, append(buildNlmsg(tcpDiagGetSock, 9, msg), buildNlmsg(nlmsgDone, 9, []byte{0, 0, 0, 0})...), 9, TCP)
	if err != nil || !done || len(socks) != 1 || socks[0].State != StateListen {
		t.Errorf("decoded %+v done=%v err=%v", socks, done, err)
	}
}

func FuzzDecodeInetDiag(f *testing.F) {
	for _, name := range []string{"tcp4_listen_estab", "tcp4_timewait", "tcp6_mapped", "udp6_unconn", "udp4_empty"} {
		if b, err := os.ReadFile(filepath.Join("testdata", "inetdiag", name+".bin")); err == nil {
			f.Add(b)
		}
	}
	f.Add(buildNlmsg(nlmsgError, 1, []byte{0xea, 0xff, 0xff, 0xff}))
	f.Fuzz(func(t *testing.T, b []byte) {
		socks, _, _ := decodeInetDiag(nil, b, 1, TCP)
		// Each socket needs a full 72-byte message: memory stays bounded by
		// the input.
		if len(socks)*(nlmsgHdrLen+inetDiagMsgLen) > len(b) {
			t.Fatalf("%d sockets from %d bytes", len(socks), len(b))
		}
	})
}

func BenchmarkDecodeInetDiag(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("testdata", "inetdiag", "tcp6_mapped.bin"))
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]Socket, 0, 8)
	b.ReportAllocs()
	for b.Loop() {
		dst, _, _ = decodeInetDiag(dst[:0], raw, 1, TCP)
	}
}
