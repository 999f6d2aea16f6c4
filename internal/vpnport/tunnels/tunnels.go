// Package tunnels lists the kernel's tunnel interfaces that hold a UDP port
// with no process behind it (VXLAN, Geneve, bare UDP, WireGuard), from
// rtnetlink link dumps (linux/if_link.h) and WireGuard's generic netlink
// replies (linux/wireguard.h), and names the one on a port. The decoders
// have no OS suffix so the fixtures captured from a real kernel are tested
// everywhere; List, which asks the kernel, lives in list_linux.go.
package tunnels

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/traycheck/traycheck/internal/vpnport/netlink"
)

// Port is one kernel interface and the UDP port it listens on.
type Port struct {
	Kind string // the rtnetlink link kind: "vxlan", "geneve", "bareudp", "wireguard"
	Name string
	// Port is 0 when the kernel would not say (WireGuard's listen port
	// needs CAP_NET_ADMIN to read).
	Port   uint16
	VNI    uint32
	HasVNI bool
}

// String names the interface as a message does: "VXLAN interface vx0 (VNI 42)".
func (t Port) String() string {
	kind := map[string]string{"vxlan": "VXLAN", "geneve": "Geneve", "bareudp": "bare UDP", "wireguard": "WireGuard"}[t.Kind]
	if kind == "" {
		kind = t.Kind
	}
	s := kind + " interface " + t.Name
	if t.HasVNI {
		s += " (VNI " + strconv.FormatUint(uint64(t.VNI), 10) + ")"
	}
	return s
}

// Holder names what in the kernel holds UDP port: the interfaces whose port
// is known to be it; failing that, the WireGuard interfaces whose port could
// not be read (one of them may be it, so they are named as candidates);
// otherwise "", and the message falls back to the general list. exact says
// whether the kernel itself reported an interface on exactly this port (not
// a guess among WireGuard interfaces whose port it would not tell).
func Holder(ts []Port, port uint16) (string, bool) {
	var exact, maybe []string
	for _, t := range ts {
		switch {
		case t.Port == port:
			exact = append(exact, t.String())
		case t.Port == 0 && t.Kind == "wireguard":
			maybe = append(maybe, t.Name)
		}
	}
	switch {
	case len(exact) > 0:
		return strings.Join(exact, " and "), true
	case len(maybe) == 1:
		return "WireGuard interface " + maybe[0], false
	case len(maybe) > 1:
		return "a WireGuard interface (" + strings.Join(maybe, ", ") + ")", false
	}
	return "", false
}

// rtnetlink and generic netlink numbers (linux/if_link.h, linux/genetlink.h, linux/wireguard.h).
const (
	rtmNewLink      = 16
	rtmGetLink      = 18
	ifInfoMsgLen    = 16
	genlHdrLen      = 4
	iflaIfname      = 3
	iflaLinkinfo    = 18
	iflaInfoKind    = 1
	iflaInfoData    = 2
	iflaVXLANID     = 1
	iflaVXLANPort   = 15
	iflaGeneveID    = 1
	iflaGenevePort  = 5
	iflaBareUDPPort = 1
	genlIDCtrl      = 16
	ctrlCmdGetFam   = 3
	ctrlAttrFamID   = 1
	ctrlAttrFamNm   = 2
	wgCmdGetDevice  = 0
	wgAttrIfname    = 2
	wgAttrListen    = 6
)

// appendLinkDumpReq appends an RTM_GETLINK dump request for every link.
func appendLinkDumpReq(b []byte, seq uint32) []byte {
	b = netlink.AppendHeader(b, ifInfoMsgLen, rtmGetLink, netlink.FRequest|netlink.FDump, seq)
	return append(b, make([]byte, ifInfoMsgLen)...)
}

// decodeLinks appends the tunnel interfaces among one datagram of an
// RTM_GETLINK dump.
func decodeLinks(dst []Port, b []byte, seq uint32) ([]Port, bool, error) {
	done, err := netlink.Messages(b, seq, func(typ uint16, body []byte) error {
		if typ != rtmNewLink || len(body) < ifInfoMsgLen {
			return nil
		}
		var t Port
		var data []byte
		netlink.Attrs(body[ifInfoMsgLen:], func(typ uint16, v []byte) bool {
			switch typ {
			case iflaIfname:
				t.Name = netlink.String(v)
			case iflaLinkinfo:
				netlink.Attrs(v, func(typ uint16, v []byte) bool {
					switch typ {
					case iflaInfoKind:
						t.Kind = netlink.String(v)
					case iflaInfoData:
						data = v
					}
					return true
				})
			}
			return true
		})
		switch t.Kind {
		case "vxlan", "geneve", "bareudp":
			decodeTunnelData(&t, data)
		case "wireguard":
		default:
			return nil
		}
		dst = append(dst, t)
		return nil
	})
	return dst, done, err
}

// decodeTunnelData reads the UDP port and VNI from a link's IFLA_INFO_DATA.
// Ports are big-endian on the wire (be16 in the kernel), VNIs host order.
func decodeTunnelData(t *Port, data []byte) {
	portAttr, idAttr := uint16(iflaVXLANPort), uint16(iflaVXLANID)
	switch t.Kind {
	case "geneve":
		portAttr, idAttr = iflaGenevePort, iflaGeneveID
	case "bareudp":
		portAttr, idAttr = iflaBareUDPPort, 0
	}
	netlink.Attrs(data, func(typ uint16, v []byte) bool {
		switch {
		case typ == portAttr && len(v) >= 2:
			t.Port = binary.BigEndian.Uint16(v)
		case typ == idAttr && idAttr != 0 && len(v) >= 4:
			t.VNI, t.HasVNI = netlink.Endian.Uint32(v), true
		}
		return true
	})
}

// appendGenlFamilyReq appends a CTRL_CMD_GETFAMILY request for name.
func appendGenlFamilyReq(b []byte, seq uint32, name string) []byte {
	b = netlink.AppendHeader(b, genlHdrLen+attrLen(name), genlIDCtrl, netlink.FRequest, seq)
	b = append(b, ctrlCmdGetFam, 1, 0, 0)
	return netlink.AppendStringAttr(b, ctrlAttrFamNm, name)
}

// decodeGenlFamilyID returns the family id in a CTRL_CMD_GETFAMILY reply.
func decodeGenlFamilyID(b []byte, seq uint32) (uint16, error) {
	var id uint16
	_, err := netlink.Messages(b, seq, func(typ uint16, body []byte) error {
		if typ != genlIDCtrl || len(body) < genlHdrLen {
			return nil
		}
		netlink.Attrs(body[genlHdrLen:], func(typ uint16, v []byte) bool {
			if typ == ctrlAttrFamID && len(v) >= 2 {
				id = netlink.Endian.Uint16(v)
				return false
			}
			return true
		})
		return nil
	})
	if err == nil && id == 0 {
		err = fmt.Errorf("generic netlink: no family id in reply")
	}
	return id, err
}

// attrLen is the padded length of a string attribute holding s.
func attrLen(s string) int { return (4 + len(s) + 1 + 3) &^ 3 }

// appendWGGetDeviceReq appends WG_CMD_GET_DEVICE for the interface ifname.
// WireGuard answers one device per request (a "dump" keyed by name).
func appendWGGetDeviceReq(b []byte, seq uint32, family uint16, ifname string) []byte {
	b = netlink.AppendHeader(b, genlHdrLen+attrLen(ifname), family, netlink.FRequest|netlink.FDump, seq)
	b = append(b, wgCmdGetDevice, 1, 0, 0)
	return netlink.AppendStringAttr(b, wgAttrIfname, ifname)
}

// decodeWGDevice sets the listen port of the interfaces in ts named in one
// datagram of a WG_CMD_GET_DEVICE reply.
func decodeWGDevice(ts []Port, b []byte, seq uint32, family uint16) (bool, error) {
	return netlink.Messages(b, seq, func(typ uint16, body []byte) error {
		if typ != family || len(body) < genlHdrLen {
			return nil
		}
		var name string
		var port uint16
		netlink.Attrs(body[genlHdrLen:], func(typ uint16, v []byte) bool {
			switch {
			case typ == wgAttrIfname:
				name = netlink.String(v)
			case typ == wgAttrListen && len(v) >= 2:
				port = netlink.Endian.Uint16(v)
			}
			return true
		})
		for i := range ts {
			if ts[i].Kind == "wireguard" && ts[i].Name == name {
				ts[i].Port = port
			}
		}
		return nil
	})
}
