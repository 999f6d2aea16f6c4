package tunnels

import (
	"encoding/binary"
	"os"
	"testing"

	"github.com/traycheck/traycheck/internal/vpnport/netlink"
)

// links_vxlan.bin is a real RTM_GETLINK dump (Linux 6.18) of a namespace
// with lo and `ip link add vx0 type vxlan id 42 dstport 4789`.
func TestDecodeLinksVXLANFixture(t *testing.T) {
	raw, err := os.ReadFile("testdata/links_vxlan.bin")
	if err != nil {
		t.Fatal(err)
	}
	ts, done, err := decodeLinks(nil, raw, 1)
	if err != nil || !done {
		t.Fatalf("done=%v err=%v", done, err)
	}
	want := Port{Kind: "vxlan", Name: "vx0", Port: 4789, VNI: 42, HasVNI: true}
	if len(ts) != 1 || ts[0] != want {
		t.Fatalf("got %+v, want only %+v (lo is no tunnel)", ts, want)
	}
	if got := holderName(ts, 4789); got != "VXLAN interface vx0 (VNI 42)" {
		t.Errorf("holder text %q", got)
	}
	if got := holderName(ts, 8472); got != "" {
		t.Errorf("another port: %q, want nothing", got)
	}
	// Another dump's replies are not ours.
	if ts, _, _ := decodeLinks(nil, raw, 2); len(ts) != 0 {
		t.Errorf("seq 2 decoded %+v", ts)
	}
	// Cut anywhere, the decoder stops or errs but never panics.
	for i := range raw {
		decodeLinks(nil, raw[:i], 1)
	}
}

// wgReply builds a WG_CMD_GET_DEVICE reply as linux/wireguard.h lays it
// out. This kernel has no wireguard module, so no reply could be captured
// here; the layout is the header's (NLA_U16 listen port, host order).
func wgReply(seq uint32, family uint16, ifname string, port uint16) []byte {
	var attrs []byte
	attr := func(typ uint16, v []byte) {
		attrs = netlink.Endian.AppendUint16(attrs, uint16(4+len(v)))
		attrs = netlink.Endian.AppendUint16(attrs, typ)
		attrs = append(attrs, v...)
		for len(attrs)%4 != 0 {
			attrs = append(attrs, 0)
		}
	}
	attr(1, binary.NativeEndian.AppendUint32(nil, 7)) // WGDEVICE_A_IFINDEX
	attr(wgAttrIfname, append([]byte(ifname), 0))
	attr(wgAttrListen, netlink.Endian.AppendUint16(nil, port))
	b := netlink.AppendHeader(nil, genlHdrLen+len(attrs), family, 2, seq)
	b = append(b, wgCmdGetDevice, 1, 0, 0)
	b = append(b, attrs...)
	b = netlink.AppendHeader(b, 4, netlink.TypeDone, 2, seq)
	return append(b, 0, 0, 0, 0) // NLMSG_DONE's error field: 0
}

func TestDecodeWGDevice(t *testing.T) {
	ts := []Port{{Kind: "wireguard", Name: "wg0"}, {Kind: "wireguard", Name: "wg1"}}
	if got := holderName(ts, 51820); got != "a WireGuard interface (wg0, wg1)" {
		t.Errorf("ports unknown: %q", got)
	}
	done, err := decodeWGDevice(ts, wgReply(5, 0x1d, "wg1", 51820), 5, 0x1d)
	if err != nil || !done {
		t.Fatalf("done=%v err=%v", done, err)
	}
	if ts[1].Port != 51820 || ts[0].Port != 0 {
		t.Fatalf("ports %+v", ts)
	}
	if got := holderName(ts, 51820); got != "WireGuard interface wg1" {
		t.Errorf("known port: %q", got)
	}
	if got := holderName([]Port{{Kind: "wireguard", Name: "wg0", Port: 51000}}, 51820); got != "" {
		t.Errorf("a WireGuard on another port is not named: %q", got)
	}
}

func TestGenlFamilyRequestAndReply(t *testing.T) {
	req := appendGenlFamilyReq(nil, 3, "wireguard")
	if len(req)%4 != 0 || int(netlink.Endian.Uint32(req)) != len(req) {
		t.Fatalf("request length %d, header says %d", len(req), netlink.Endian.Uint32(req))
	}
	// A reply: CTRL_ATTR_FAMILY_NAME then CTRL_ATTR_FAMILY_ID.
	body := []byte{1, 2, 0, 0}
	body = netlink.Endian.AppendUint16(body, 4+10)
	body = netlink.Endian.AppendUint16(body, ctrlAttrFamNm)
	body = append(body, "wireguard\x00\x00\x00"...)
	body = netlink.Endian.AppendUint16(body, 6)
	body = netlink.Endian.AppendUint16(body, ctrlAttrFamID)
	body = netlink.Endian.AppendUint16(body, 0x1d)
	body = append(body, 0, 0)
	msg := append(netlink.AppendHeader(nil, len(body), genlIDCtrl, 0, 3), body...)
	id, err := decodeGenlFamilyID(msg, 3)
	if err != nil || id != 0x1d {
		t.Fatalf("id %#x err %v", id, err)
	}
	if _, err := decodeGenlFamilyID(msg, 4); err == nil {
		t.Error("a reply to another request gave an id")
	}
}

func BenchmarkDecodeLinks(b *testing.B) {
	raw, err := os.ReadFile("testdata/links_vxlan.bin")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var ts []Port
	for b.Loop() {
		ts, _, _ = decodeLinks(ts[:0], raw, 1)
	}
}

func FuzzDecodeLinks(f *testing.F) {
	raw, err := os.ReadFile("testdata/links_vxlan.bin")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add(wgReply(1, 0x1d, "wg0", 51820))
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeLinks(nil, b, 1)
		decodeWGDevice([]Port{{Kind: "wireguard", Name: "wg0"}}, b, 1, 0x1d)
		decodeGenlFamilyID(b, 1)
	})
}

func holderName(ts []Port, port uint16) string {
	s, _ := Holder(ts, port)
	return s
}
