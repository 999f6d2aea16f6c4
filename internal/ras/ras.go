// Package ras lists Windows Remote Access (dial-up and built-in VPN)
// connections and devices through rasapi32 for the report. The decoders of
// the RAS structures have no OS suffix so their tests run everywhere; the
// calls live in ras_windows.go. The raserror.h table is diagnose's.
package ras

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
)

// ErrNotImplemented is returned off Windows.
var ErrNotImplemented = errors.New("ras: Remote Access exists only on Windows")

// errShort is returned when a buffer holds fewer entries than it claims.
var errShort = errors.New("ras: buffer shorter than its entry count")

// Error is a RAS error code a rasapi32 function returned (603, 633, ...);
// diagnose.LookupRASError names it.
type Error struct {
	Func string
	Code int
}

func (e *Error) Error() string { return fmt.Sprintf("%s: RAS error %d", e.Func, e.Code) }

// Conn is one active Remote Access (dial-up or built-in VPN) connection,
// as RasEnumConnections and RasGetConnectStatus report it.
type Conn struct {
	// Entry is the phone-book entry name ("Office VPN").
	Entry string `json:"entry"`
	// DeviceType is "vpn", "modem", "isdn", "pppoe", ...
	DeviceType string `json:"device_type"`
	// DeviceName is the RAS port's device ("WAN Miniport (IKEv2)", "COM3").
	DeviceName string `json:"device_name"`
	Phonebook  string `json:"phonebook,omitzero"`
	SubEntry   uint32 `json:"sub_entry,omitzero"`
	// State is the RASCONNSTATE name ("Connected", "OpenPort", ...); empty
	// until RasGetConnectStatus answered.
	State string `json:"state,omitzero"`
	// Error is the RAS error code of a failed connection (602, 633...).
	Error int `json:"error,omitzero"`

	handle uintptr
}

// Connections lists the active RAS connections with their state, so the
// caller knows which RAS port ("VPN2-0", "COM3") the VPN uses and whether it
// is up. It returns ErrNotImplemented off Windows, and no connections on a
// Windows edition without RAS.
func Connections() ([]Conn, error) { return rasConnections() }

// Devices lists the devices RAS can dial through (VPN miniports, modems).
// It returns ErrNotImplemented off Windows.
func Devices() ([]Device, error) { return rasDevices() }

// Device is one RAS-capable device from RasEnumDevices.
type Device struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

// Field sizes from ras.h, in WCHARs including the terminating NUL.
const (
	rasMaxEntryName   = 256 + 1
	rasMaxDeviceType  = 16 + 1
	rasMaxDeviceName  = 128 + 1
	rasMaxPhoneNumber = 128 + 1
	rasMaxPath        = 260
)

// rasConnSize returns sizeof(RASCONNW) for the Windows 7+ layout on a
// platform with the given pointer size: dwSize, HRASCONN hrasconn, four
// WCHAR arrays, dwSubEntry, GUID guidEntry, dwFlags, LUID luid, GUID
// guidCorrelationId. The x64 value, 1392, is the documented one.
func rasConnSize(ptr int) int {
	o := rasConnSubEntryOff(ptr) + 4 + 16 + 4 + 8 + 16
	return (o + ptr - 1) / ptr * ptr
}

func rasConnNamesOff(ptr int) int { return 2 * ptr } // dwSize padded to the handle's alignment, then the handle

func rasConnSubEntryOff(ptr int) int {
	o := rasConnNamesOff(ptr) + 2*(rasMaxEntryName+rasMaxDeviceType+rasMaxDeviceName+rasMaxPath)
	return (o + 3) &^ 3
}

// rasDevInfoSize is sizeof(RASDEVINFOW): dwSize and two WCHAR arrays.
const rasDevInfoSize = (4 + 2*(rasMaxDeviceType+rasMaxDeviceName) + 3) &^ 3

// rasConnStatusSize is sizeof(RASCONNSTATUSW) for Windows 7+: dwSize,
// rasconnstate, dwError, three WCHAR arrays, two RASTUNNELENDPOINTs (type +
// 16-byte address) and rasconnsubstate.
const rasConnStatusSize = (12+2*(rasMaxDeviceType+rasMaxDeviceName+rasMaxPhoneNumber)+3)&^3 + 20 + 20 + 4

// winUTF16 decodes a NUL-terminated little-endian UTF-16 field.
func winUTF16(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// rasDecodeConns decodes n RASCONNW structures from buf, as filled by
// RasEnumConnections on a platform with pointer size ptr (4 or 8).
func rasDecodeConns(buf []byte, n int, ptr int) ([]Conn, error) {
	if ptr != 4 && ptr != 8 {
		return nil, fmt.Errorf("decoding RASCONN: pointer size %d", ptr)
	}
	size := rasConnSize(ptr)
	if n < 0 || n > len(buf)/size {
		return nil, fmt.Errorf("decoding %d RASCONN entries of %d bytes from %d bytes: %w", n, size, len(buf), errShort)
	}
	out := make([]Conn, 0, n)
	for i := range n {
		r := buf[i*size : (i+1)*size]
		if got := binary.LittleEndian.Uint32(r); got != uint32(size) {
			return nil, fmt.Errorf("decoding RASCONN %d: dwSize %d, want %d", i, got, size)
		}
		var c Conn
		if ptr == 8 {
			c.handle = uintptr(binary.LittleEndian.Uint64(r[8:]))
		} else {
			c.handle = uintptr(binary.LittleEndian.Uint32(r[4:]))
		}
		o := rasConnNamesOff(ptr)
		c.Entry, o = winUTF16(r[o:o+2*rasMaxEntryName]), o+2*rasMaxEntryName
		c.DeviceType, o = winUTF16(r[o:o+2*rasMaxDeviceType]), o+2*rasMaxDeviceType
		c.DeviceName, o = winUTF16(r[o:o+2*rasMaxDeviceName]), o+2*rasMaxDeviceName
		c.Phonebook = winUTF16(r[o : o+2*rasMaxPath])
		c.SubEntry = binary.LittleEndian.Uint32(r[rasConnSubEntryOff(ptr):])
		out = append(out, c)
	}
	return out, nil
}

// rasDecodeDevices decodes n RASDEVINFOW structures from buf.
func rasDecodeDevices(buf []byte, n int) ([]Device, error) {
	if n < 0 || n > len(buf)/rasDevInfoSize {
		return nil, fmt.Errorf("decoding %d RASDEVINFO entries from %d bytes: %w", n, len(buf), errShort)
	}
	out := make([]Device, 0, n)
	for i := range n {
		r := buf[i*rasDevInfoSize : (i+1)*rasDevInfoSize]
		t := winUTF16(r[4 : 4+2*rasMaxDeviceType])
		name := winUTF16(r[4+2*rasMaxDeviceType : 4+2*(rasMaxDeviceType+rasMaxDeviceName)])
		out = append(out, Device{Type: t, Name: name})
	}
	return out, nil
}

// rasDecodeStatus fills c's State and Error from a RASCONNSTATUSW.
func rasDecodeStatus(buf []byte, c *Conn) error {
	if len(buf) < rasConnStatusSize {
		return fmt.Errorf("decoding RASCONNSTATUS: %d bytes, want %d", len(buf), rasConnStatusSize)
	}
	le := binary.LittleEndian
	c.State = rasStateName(le.Uint32(buf[4:]))
	c.Error = int(le.Uint32(buf[8:]))
	if c.DeviceName == "" {
		c.DeviceName = winUTF16(buf[12+2*rasMaxDeviceType : 12+2*(rasMaxDeviceType+rasMaxDeviceName)])
	}
	return nil
}

// rasStates names RASCONNSTATE values 0..24 (ras.h order).
var rasStates = [...]string{
	"OpenPort", "PortOpened", "ConnectDevice", "DeviceConnected", "AllDevicesConnected",
	"Authenticate", "AuthNotify", "AuthRetry", "AuthCallback", "AuthChangePassword",
	"AuthProject", "AuthLinkSpeed", "AuthAck", "ReAuthenticate", "Authenticated",
	"PrepareForCallback", "WaitForModemReset", "WaitForCallback", "Projected",
	"StartAuthentication", "CallbackComplete", "LogonNetwork", "SubEntryConnected",
	"SubEntryDisconnected", "ApplySettings",
}

// RASCS_PAUSED and RASCS_DONE states (ras.h).
var rasStatesHigh = map[uint32]string{
	0x1000: "Interactive", 0x1001: "RetryAuthentication", 0x1002: "CallbackSetByCaller",
	0x1003: "PasswordExpired", 0x1004: "InvokeEapUI",
	0x2000: "Connected", 0x2001: "Disconnected",
}

func rasStateName(v uint32) string {
	if v < uint32(len(rasStates)) {
		return rasStates[v]
	}
	if s, ok := rasStatesHigh[v]; ok {
		return s
	}
	return "State" + strconv.FormatUint(uint64(v), 10)
}
