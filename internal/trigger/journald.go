package trigger

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// journalPrograms are the processes whose journal entries are followed:
// the VPN clients and helpers traycheck knows, as journald records them in
// _COMM (the kernel's 15-byte process name) and SYSLOG_IDENTIFIER.
var journalPrograms = []string{
	"openvpn", "charon", "charon-systemd", "xl2tpd", "pppd", "wg-quick",
	"nm-openvpn-service", "nm-openvpn-serv", "nm-l2tp-service", "sshd",
}

// journalUnits are unit prefixes whose entries are followed whatever the
// process (a wrapper script in openvpn-client@work.service).
var journalUnits = []string{"openvpn-client@", "openvpn-server@", "openvpn@", "wg-quick@", "strongswan", "xl2tpd"}

// JournalMatches are journalctl's field matches for the followed entries,
// joined by "+" (OR): journald filters, so traycheck reads only these.
func JournalMatches() []string {
	var args []string
	for _, p := range journalPrograms {
		if len(args) > 0 {
			args = append(args, "+")
		}
		args = append(args, "_COMM="+truncComm(p))
		args = append(args, "+", "SYSLOG_IDENTIFIER="+p)
	}
	return args
}

// truncComm is p as the kernel keeps a process name: at most 15 bytes.
func truncComm(p string) string {
	if len(p) > 15 {
		return p[:15]
	}
	return p
}

// errNotFollowed is a journal entry of a process the source does not follow.
var errNotFollowed = errors.New("not a followed program")

// journalEntry is the part of a `journalctl --output=json` line the source
// reads.
type journalEntry struct {
	Message   string
	Comm      string
	Ident     string
	Unit      string
	Realtime  time.Time
	HasFields bool
}

// parseJournalLine decodes one line of `journalctl --output=json`. journald
// writes MESSAGE as a string, or as an array of byte values when it is not
// valid UTF-8; both are accepted.
func parseJournalLine(line []byte) (journalEntry, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		return journalEntry{}, fmt.Errorf("journal entry: %w", err)
	}
	var e journalEntry
	str := func(k string) string {
		v, ok := raw[k]
		if !ok {
			return ""
		}
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
		var bs []byte
		var ns []int
		if json.Unmarshal(v, &ns) == nil {
			for _, n := range ns {
				if n >= 0 && n < 256 {
					bs = append(bs, byte(n))
				}
			}
			return string(bs)
		}
		return ""
	}
	e.Message = str("MESSAGE")
	e.Comm = str("_COMM")
	e.Ident = str("SYSLOG_IDENTIFIER")
	e.Unit = str("_SYSTEMD_UNIT")
	if us, err := strconv.ParseInt(str("__REALTIME_TIMESTAMP"), 10, 64); err == nil && us > 0 {
		e.Realtime = time.UnixMicro(us)
	}
	return e, nil
}

// journalEvent turns one journal line into an Event, or false when the
// entry is not of a followed program or says nothing traycheck acts on.
func journalEvent(line []byte, now time.Time) (Event, bool) {
	e, err := parseJournalLine(line)
	if err != nil {
		return Event{}, false
	}
	prog, conn, err := followed(e)
	if err != nil {
		return Event{}, false
	}
	at := e.Realtime
	if at.IsZero() {
		at = now
	}
	return FromLine("journald", conn, prog, e.Message, at)
}

// followed says which program wrote e and which connection it serves (the
// instance of a templated unit, openvpn-client@work.service → work).
func followed(e journalEntry) (program, connection string, err error) {
	for _, p := range journalPrograms {
		if e.Comm == truncComm(p) || e.Ident == p {
			program = p
			break
		}
	}
	unit := strings.TrimSuffix(e.Unit, ".service")
	if program == "" {
		for _, u := range journalUnits {
			if strings.HasPrefix(unit, u) {
				program = strings.TrimSuffix(u, "@")
				break
			}
		}
	}
	if program == "" {
		return "", "", errNotFollowed
	}
	if _, inst, ok := strings.Cut(unit, "@"); ok && inst != "" {
		connection = inst
	} else if unit != "" && !strings.HasPrefix(unit, "session-") && !strings.HasPrefix(unit, "user@") {
		connection = unit
	}
	return program, connection, nil
}
