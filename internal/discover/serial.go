package discover

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// modemVendors are substrings of /dev/serial/by-id names (usb-VENDOR_PRODUCT_
// SERIAL-ifNN-portN) that mark a cellular or dial-up modem: the vendors
// ModemManager's plugins know, plus the generic words vendors put in product
// names. An Arduino or a USB-serial adapter is listed but not watched.
var modemVendors = []string{
	"modem", "huawei", "zte", "sierra", "quectel", "telit", "u-blox", "ublox", "novatel",
	"option", "fibocom", "simcom", "cinterion", "gemalto", "longcheer", "wavecom",
	"dell_wireless", "ericsson", "nokia", "motorola", "anydata", "pantech", "x22x",
	"us_robotics", "usrobotics", "conexant", "lte", "3g", "gsm", "wwan", "mbim",
}

// ModemLike reports whether a by-id name looks like a modem.
func ModemLike(name string) bool {
	l := strings.ToLower(name)
	return slices.ContainsFunc(modemVendors, func(v string) bool { return strings.Contains(l, v) })
}

// serialByID lists dir's stable serial names. Modems are watched devices;
// other serial devices are listed with a note, their Devices empty, so that
// `config init --discover` does not watch an Arduino.
func serialByID(dir string) []Found {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []Found
	for _, e := range ents {
		path := filepath.Join(dir, e.Name())
		f := Found{Source: dir, Kind: KindSerial, Name: e.Name(), Clients: []string{"pppd"}}
		if target, err := filepath.EvalSymlinks(path); err == nil {
			f.addNote("now " + target)
		}
		if ModemLike(e.Name()) {
			f.Devices = []string{path}
			f.addNote("a modem (by its vendor or product name)")
		} else {
			f.addNote("not recognised as a modem: add " + path + " to [vpn] devices if your VPN dials through it")
		}
		out = append(out, f)
	}
	return out
}
