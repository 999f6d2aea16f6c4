package ras

import (
	"encoding/binary"
	"errors"
	"testing"
	"unicode/utf16"
)

// putW writes s as NUL-terminated UTF-16LE at off.
func putW(b []byte, off int, s string) {
	for i, c := range utf16.Encode([]rune(s)) {
		binary.LittleEndian.PutUint16(b[off+2*i:], c)
	}
}

func TestRASStructSizes(t *testing.T) {
	// The documented sizes of the Windows 7+ structures (x64 and x86).
	if got := rasConnSize(8); got != 1392 {
		t.Errorf("sizeof(RASCONNW) x64 = %d, want 1392", got)
	}
	if got := rasConnSize(4); got != 1384 {
		t.Errorf("sizeof(RASCONNW) x86 = %d, want 1384", got)
	}
	if rasDevInfoSize != 296 {
		t.Errorf("sizeof(RASDEVINFOW) = %d, want 296", rasDevInfoSize)
	}
	if rasConnStatusSize != 608 {
		t.Errorf("sizeof(RASCONNSTATUSW) = %d, want 608", rasConnStatusSize)
	}
}

func TestRASDecodeConnsX64(t *testing.T) {
	const size = 1392
	buf := make([]byte, 2*size)
	for i, c := range []struct{ entry, typ, dev string }{
		{"Office VPN", "vpn", "WAN Miniport (IKEv2)"},
		{"Modem ☎ Büro", "modem", "COM3"},
	} {
		r := buf[i*size:]
		binary.LittleEndian.PutUint32(r, size)
		binary.LittleEndian.PutUint64(r[8:], uint64(0x1000+i))
		putW(r, 16, c.entry)  // szEntryName[257]
		putW(r, 530, c.typ)   // szDeviceType[17]
		putW(r, 564, c.dev)   // szDeviceName[129]
		putW(r, 822, `C:\pb`) // szPhonebook[260]
		binary.LittleEndian.PutUint32(r[1344:], uint32(i))
	}
	got, err := rasDecodeConns(buf, 2, 8)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Entry != "Office VPN" || got[0].DeviceType != "vpn" ||
		got[0].DeviceName != "WAN Miniport (IKEv2)" || got[0].Phonebook != `C:\pb` || got[0].handle != 0x1000 {
		t.Fatalf("conn 0 = %+v", got[0])
	}
	if got[1].Entry != "Modem ☎ Büro" || got[1].DeviceName != "COM3" || got[1].SubEntry != 1 {
		t.Fatalf("conn 1 = %+v", got[1])
	}

	status := make([]byte, 608)
	binary.LittleEndian.PutUint32(status[4:], 0x2000)
	binary.LittleEndian.PutUint32(status[8:], 633)
	if err := rasDecodeStatus(status, &got[1]); err != nil {
		t.Fatal(err)
	}
	if got[1].State != "Connected" || got[1].Error != 633 {
		t.Fatalf("status: %+v", got[1])
	}
	if err := rasDecodeStatus(status[:600], &got[1]); err == nil {
		t.Fatal("short RASCONNSTATUS accepted")
	}
}

func TestRASDecodeConnsRejects(t *testing.T) {
	buf := make([]byte, 1392)
	if _, err := rasDecodeConns(buf, 2, 8); !errors.Is(err, errShort) {
		t.Errorf("2 entries in 1 entry's bytes: %v", err)
	}
	if _, err := rasDecodeConns(buf, 1, 8); err == nil {
		t.Error("dwSize 0 accepted")
	}
	if _, err := rasDecodeConns(buf, 1, 2); err == nil {
		t.Error("pointer size 2 accepted")
	}
}

func TestRASDecodeDevices(t *testing.T) {
	buf := make([]byte, 3*296)
	for i, d := range []Device{{"vpn", "WAN Miniport (SSTP)"}, {"modem", "Standard 33600 bps Modem"}, {"pppoe", "WAN Miniport (PPPOE)"}} {
		binary.LittleEndian.PutUint32(buf[i*296:], 296)
		putW(buf, i*296+4, d.Type)
		putW(buf, i*296+4+34, d.Name)
	}
	got, err := rasDecodeDevices(buf, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1] != (Device{"modem", "Standard 33600 bps Modem"}) {
		t.Fatalf("got %+v", got)
	}
	if _, err := rasDecodeDevices(buf, 4); err == nil {
		t.Fatal("4 devices from 3 devices' bytes")
	}
}

func TestRASStateNames(t *testing.T) {
	for v, want := range map[uint32]string{0: "OpenPort", 24: "ApplySettings", 0x2001: "Disconnected", 25: "State25"} {
		if got := rasStateName(v); got != want {
			t.Errorf("rasStateName(%d) = %q, want %q", v, got, want)
		}
	}
}

func FuzzRASDecode(f *testing.F) {
	f.Add([]byte{0x70, 0x05, 0, 0}, uint8(1), true)
	f.Fuzz(func(t *testing.T, buf []byte, n uint8, x64 bool) {
		ptr := 4
		if x64 {
			ptr = 8
		}
		if cs, err := rasDecodeConns(buf, int(n), ptr); err == nil && len(cs) != int(n) {
			t.Fatalf("%d conns for n=%d", len(cs), n)
		}
		if ds, err := rasDecodeDevices(buf, int(n)); err == nil && len(ds) != int(n) {
			t.Fatalf("%d devices for n=%d", len(ds), n)
		}
		var c Conn
		_ = rasDecodeStatus(buf, &c)
	})
}
