package fleet

import (
	"bytes"
	"fmt"
	"strings"
)

// MessageText is the Event Viewer text of spec's event id: what happened, in
// general words (the Application log cannot fill in journald's fields), then
// %1, the event's own message and fields.
func (s Spec) MessageText() string {
	r := strings.NewReplacer("@TRAYCHECK_RESOURCE@", "a watched port or device", "@TRAYCHECK_ACTION@", "an action")
	return "traycheck: " + r.Replace(s.Subject) + ".%n%1"
}

// MessageCompilerSource returns the message compiler (windmc/mc.exe) source
// for Table: traycheck.mc beside this file is this output (a test keeps them
// equal). scripts/build-eventdll.sh compiles it into traycheck-events.dll,
// and the fleet MSI registers that DLL as the Application log's "traycheck"
// source, so Event Viewer shows the text.
func MessageCompilerSource() []byte {
	var b bytes.Buffer
	b.WriteString("; traycheck's Windows event message table (generated from internal/fleet.Table; do not edit)\r\n")
	b.WriteString("MessageIdTypedef=DWORD\r\nLanguageNames=(English=0x409:MSG00409)\r\n")
	for _, s := range Table {
		fmt.Fprintf(&b, "\r\nMessageId=%d\r\nSymbolicName=TRAYCHECK_%s\r\nLanguage=English\r\n%s\r\n.\r\n",
			s.EventID, strings.ToUpper(strings.ReplaceAll(string(s.Kind), "-", "_")), s.MessageText())
	}
	return b.Bytes()
}
