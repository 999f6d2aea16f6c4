// Package fleet turns what traycheck sees into events for the systems a
// helpdesk already runs: structured journald entries with stable MESSAGE_IDs
// on Linux, Application-log events with a fixed ID table on Windows, and a
// Prometheus textfile for node_exporter. The table of event kinds, their ids,
// priorities and explanations lives here, once; the journald catalog file and
// the Windows message table are generated from it and tested against it.
package fleet

import (
	"fmt"
	"strings"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// Kind is what an event reports. A finding's kind is its cause id; the other
// kinds are the fixed names below. Kinds are stable: fleets count them.
type Kind string

// The kinds that are not causes.
const (
	ActionOffered Kind = "action-offered"
	ActionTaken   Kind = "action-taken"
	Suspend       Kind = "suspend"
	Resume        Kind = "resume"
	ProbeError    Kind = "probe-error"
	// VPNFailed is a VPN client's own failure event (package trigger) and
	// what the immediate check found.
	VPNFailed Kind = "vpn-failed"
)

// Syslog priorities (journald's PRIORITY field).
const (
	PriErr     = 3
	PriWarning = 4
	PriNotice  = 5
	PriInfo    = 6
)

// Spec is one row of the event table.
type Spec struct {
	Kind Kind
	// MessageID is journald's MESSAGE_ID: 128 bits, lowercase hex, never
	// changed once released (fleets query by it).
	MessageID string
	// EventID is the Windows Application-log event id.
	EventID uint32
	// Priority is the syslog priority; Windows maps it to error, warning or
	// information.
	Priority int
	// Subject is the catalog's one-line subject; Explain the longer text,
	// with @TRAYCHECK_...@ fields journalctl -x fills in.
	Subject, Explain string
}

// Table is every event kind, in a fixed order. Windows event ids: 1000+n for
// findings (n the cause's index), 2000s actions, 3000s power, 4000s errors,
// 5000s the VPN clients' own events.
var Table = []Spec{
	{Kind(diagnose.Free), "d72f8ff013fa4c38882bd8e6fe08ee62", 1000, PriInfo, "@TRAYCHECK_RESOURCE@ is free again",
		"traycheck found that nothing holds @TRAYCHECK_RESOURCE@ any more, as far as it can see."},
	{Kind(diagnose.VPNClient), "9f0b4162ff95485fb7a34b25368e3fac", 1001, PriInfo, "@TRAYCHECK_RESOURCE@ is held by the VPN client",
		"@TRAYCHECK_RESOURCE@ is held by @TRAYCHECK_HOLDER_NAME@ (PID @TRAYCHECK_HOLDER_PID@), a configured VPN client: the VPN is working."},
	{Kind(diagnose.OtherApp), "8927f39e8a1d45258a0f487decd6e083", 1002, PriWarning, "@TRAYCHECK_RESOURCE@ is held by another program",
		"The VPN cannot use @TRAYCHECK_RESOURCE@: @TRAYCHECK_HOLDER_NAME@ (PID @TRAYCHECK_HOLDER_PID@, @TRAYCHECK_HOLDER_EXE@) holds it. The user was offered: @TRAYCHECK_ACTIONS@. Close that program or move it to another port."},
	{Kind(diagnose.SameAppInstance), "f88c1c744e9441248f6f37ef64411f9d", 1003, PriWarning, "another copy of the VPN client holds @TRAYCHECK_RESOURCE@",
		"A second or leftover copy of @TRAYCHECK_HOLDER_NAME@ (PID @TRAYCHECK_HOLDER_PID@) holds @TRAYCHECK_RESOURCE@, so a new connection cannot start. Ending the old copy frees it."},
	{Kind(diagnose.StaleAfterWake), "dec836148d7a4231bbda72a30dfe5cb9", 1004, PriWarning, "@TRAYCHECK_RESOURCE@ is stale after a wake from sleep",
		"Right after the machine woke, @TRAYCHECK_RESOURCE@ is still marked as held. A retry, then resetting the adapter, usually clears it; a reboot is the last resort."},
	{Kind(diagnose.CrashedLeftover), "b6e25b9a9a2c47dd864cd8984ee0302d", 1005, PriWarning, "a crashed program's lock holds @TRAYCHECK_RESOURCE@",
		"A lock file for @TRAYCHECK_RESOURCE@ names a process that no longer runs. Removing the stale lock (offered to the user, with confirmation) frees the device."},
	{Kind(diagnose.TimeWait), "70dc161a88614a7f9763b9d3d6c500ee", 1006, PriNotice, "@TRAYCHECK_RESOURCE@ is in TIME_WAIT",
		"Only TIME_WAIT sockets of a closed connection remain on @TRAYCHECK_RESOURCE@. Programs that bind with SO_REUSEADDR are not blocked; others must wait until they expire."},
	{Kind(diagnose.ReservedRange), "948f2bfdf8cf4035972162ba76f951a7", 1007, PriWarning, "@TRAYCHECK_RESOURCE@ lies in a reserved port range",
		"No program holds @TRAYCHECK_RESOURCE@, but Windows reserved it (Hyper-V, WinNAT). Use another port, or exclude the port before the reservation is made."},
	{Kind(diagnose.HiddenOwner), "a71ab7a574734e69a1ea2f369e9351fd", 1008, PriWarning, "@TRAYCHECK_RESOURCE@ is held by a process traycheck cannot see",
		"@TRAYCHECK_RESOURCE@ is held by another user's process whose PID this user cannot read. Checking as administrator names it."},
	{Kind(diagnose.KernelOwned), "73b95d3eab7449afa6d147f915c09b41", 1009, PriWarning, "@TRAYCHECK_RESOURCE@ is held by the kernel",
		"A kernel socket (a VXLAN or WireGuard interface, NFS, Windows HTTP.sys) holds @TRAYCHECK_RESOURCE@."},
	{Kind(diagnose.DeviceMissing), "855755ce6f264e0f9e37dfbe0eddb8f3", 1010, PriWarning, "the device @TRAYCHECK_RESOURCE@ does not exist",
		"The configured modem or serial device @TRAYCHECK_RESOURCE@ is not present: unplugged, or renamed."},
	{ActionOffered, "e733d77362cd481ab0d8ef0c172b941d", 2000, PriInfo, "actions offered for @TRAYCHECK_RESOURCE@",
		"traycheck offered the user @TRAYCHECK_ACTIONS@ for @TRAYCHECK_RESOURCE@ (@TRAYCHECK_CAUSE@)."},
	{ActionTaken, "31793e4c02af43ee80d8609e81850dba", 2001, PriNotice, "the user chose @TRAYCHECK_ACTION@ for @TRAYCHECK_RESOURCE@",
		"The user clicked @TRAYCHECK_ACTION@ for @TRAYCHECK_RESOURCE@; the result was: @TRAYCHECK_RESULT@."},
	{Suspend, "8104bcab1d274d67a6fb741386eeb08c", 3000, PriInfo, "the machine is going to sleep",
		"traycheck saw the machine suspend (source @TRAYCHECK_SOURCE@)."},
	{Resume, "cf20f959d6774eac8af463acbb32f87c", 3001, PriInfo, "the machine woke from sleep",
		"traycheck saw the machine resume after @TRAYCHECK_SLEPT_S@ s (source @TRAYCHECK_SOURCE@) and checks again; most stale locks appear now."},
	{ProbeError, "9abf5b70e9f044948bc683d8199b7e1e", 4000, PriErr, "traycheck could not check",
		"The probe itself failed: @TRAYCHECK_ERROR@."},
	{VPNFailed, "699203781db2f79678dbcaa0bce7ef68", 5000, PriWarning, "a VPN connection failed",
		"The VPN connection @TRAYCHECK_CONNECTION@ (@TRAYCHECK_CLIENT_PROGRAM@, seen through @TRAYCHECK_SOURCE@) reported a failure with code @TRAYCHECK_CLIENT_CODE@: @TRAYCHECK_CLIENT_LINE@. traycheck checked the connection's ports and devices at once. When @TRAYCHECK_RESOURCE@ and @TRAYCHECK_HOLDER_NAME@ (PID @TRAYCHECK_HOLDER_PID@) are given, that program holds what the VPN needs and the user was told; without them nothing was held, so the failure is not a port or device conflict (credentials, the server, the network) and the user was not notified."},
}

// SpecFor returns k's row.
func SpecFor(k Kind) (Spec, bool) {
	for _, s := range Table {
		if s.Kind == k {
			return s, true
		}
	}
	return Spec{}, false
}

// Event is one thing to record.
type Event struct {
	Kind     Kind
	At       time.Time
	Resource vpnport.Resource
	Cause    diagnose.Cause
	Holders  []vpnport.Holder
	Actions  []diagnose.Action
	// Action and Result are set on ActionTaken.
	Action diagnose.Action
	Result string
	// Trigger is why the check ran (resume, interval, manual, action).
	Trigger string
	Message string
	// Source and Slept are set on Suspend and Resume.
	Source string
	Slept  time.Duration
	Err    string
	// Connection, Program, Code and Line are set on VPNFailed: the
	// connection as its client names it, the client, and its own error.
	Connection, Program, Code, Line string
}

// Field is one journald field (NAME=value). Windows writes the same pairs as
// the event's insertion strings.
type Field struct{ Name, Value string }

// Fields returns e's structured fields, MESSAGE first. Command lines go out
// only when shareCmdline (the machine policy) allows, as in the report.
func (e Event) Fields(shareCmdline bool) []Field {
	spec, _ := SpecFor(e.Kind)
	msg := e.Message
	if msg == "" {
		// The subject without journald's @FIELD@ placeholders, which only
		// the catalog fills in.
		msg = "traycheck: " + string(e.Kind)
		if e.Resource.Kind != "" {
			msg += " " + e.Resource.String()
		}
	}
	out := []Field{
		{"MESSAGE", msg},
		{"MESSAGE_ID", spec.MessageID},
		{"PRIORITY", fmt.Sprint(spec.Priority)},
		{"SYSLOG_IDENTIFIER", "traycheck"},
		{"TRAYCHECK_EVENT", string(e.Kind)},
	}
	add := func(name, v string) {
		if v != "" {
			out = append(out, Field{"TRAYCHECK_" + name, v})
		}
	}
	if e.Resource.Kind != "" {
		add("RESOURCE", e.Resource.String())
	}
	add("CAUSE", string(e.Cause))
	add("TRIGGER", e.Trigger)
	add("ACTION", string(e.Action))
	add("RESULT", e.Result)
	add("SOURCE", e.Source)
	add("ERROR", e.Err)
	add("CONNECTION", e.Connection)
	add("CLIENT_PROGRAM", e.Program)
	add("CLIENT_CODE", e.Code)
	add("CLIENT_LINE", e.Line)
	if e.Kind == Resume || e.Kind == Suspend {
		add("SLEPT_S", fmt.Sprint(int64(e.Slept.Seconds())))
	}
	if len(e.Actions) > 0 {
		as := make([]string, len(e.Actions))
		for i, a := range e.Actions {
			as[i] = string(a)
		}
		add("ACTIONS", strings.Join(as, ","))
	}
	if len(e.Holders) > 0 {
		h := e.Holders[0]
		add("HOLDER_NAME", h.Name)
		add("HOLDER_EXE", h.Exe)
		add("HOLDER_USER", h.User)
		add("HOLDER_UNIT", h.Unit)
		add("HOLDER_ROLE", h.Role)
		if h.PID > 0 {
			add("HOLDER_PID", fmt.Sprint(h.PID))
		}
		if shareCmdline && len(h.Cmdline) > 0 {
			add("HOLDER_CMDLINE", strings.Join(h.Cmdline, " "))
		}
		if len(e.Holders) > 1 {
			add("HOLDERS", fmt.Sprint(len(e.Holders)))
		}
	}
	return out
}

// EventText renders fields as a Windows event's insertion string: the
// message, a blank line, then NAME=value lines for the structured fields
// (newlines in a value become spaces, so no value forges a line).
func EventText(fields []Field) string {
	var b strings.Builder
	for i, f := range fields {
		v := strings.NewReplacer("\r", " ", "\n", " ").Replace(f.Value)
		if len(v) > maxFieldValue {
			v = v[:maxFieldValue]
		}
		if i == 0 && f.Name == "MESSAGE" {
			b.WriteString(v + "\r\n")
			continue
		}
		b.WriteString("\r\n" + f.Name + "=" + v)
	}
	return b.String()
}
