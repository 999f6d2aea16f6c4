package trigger

import (
	"encoding/xml"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// The RasClient events of the Application log traycheck reads.
const (
	RasDialFailed   = 20227 // ROUTERLOG_RASCONNECTION_FAILED: dialed NAME, failed with error N
	RasTerminated   = 20220 // the connection ended with an error
	RasProfile      = 20221 // started dialing with the profile NAME (and its settings)
	RasLink         = 20222 // establishing a link: server, device, port (COM3, VPN2-0), media
	RasLinkUp       = 20225 // the link to the server is established
	rasProvider     = "RasClient"
	maxRasDataField = 4096
)

// RasRecord is what one RasClient event says, from its XML (EvtRender with
// EvtRenderEventXml). Only the data fields are read: the message text is
// localized ("Der Benutzer … hat eine Verbindung namens …"), the data
// fields are the same in every language.
type RasRecord struct {
	EventID    int
	At         time.Time
	RecordID   uint64
	CoID       string // the correlation id tying one dial's events together
	User       string
	Connection string // the phone-book entry's name
	Code       string // the RAS error code, digits ("633"); "" when none
	Device     string // 20222's device ("WAN Miniport (PPTP)", a modem's name)
	Port       string // 20222's port ("COM3", "VPN2-0")
}

// eventXML is the part of the event schema the decoder reads; names match
// in any namespace.
type eventXML struct {
	System struct {
		Provider struct {
			Name string `xml:"Name,attr"`
		} `xml:"Provider"`
		EventID     string `xml:"EventID"`
		TimeCreated struct {
			SystemTime string `xml:"SystemTime,attr"`
		} `xml:"TimeCreated"`
		EventRecordID string `xml:"EventRecordID"`
	} `xml:"System"`
	EventData struct {
		Data []struct {
			Name  string `xml:"Name,attr"`
			Value string `xml:",chardata"`
		} `xml:"Data"`
	} `xml:"EventData"`
}

var (
	errNotRas = errors.New("not a RasClient event")
	coIDRE    = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`\{[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\}`)
	})
	rasPortRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)\bPort\s*=\s*([^\s,;]+)`) })
	rasDevRE  = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)\bDevice\s*=\s*([^,;\r\n]+?)\s*(?:[,;\r\n]|Port\s*=|$)`)
	})
	rasCodeRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d{1,5}$`) })
	rasPortNam = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^(?:COM\d{1,3}|VPN\d+-\d+|[A-Z]+\d*-\d+)$`) })
)

// DecodeRasEvent reads one event's XML. An event of another provider or
// another id is errNotRas; malformed XML is an error naming what is wrong.
//
// The data fields are positional, as in every classic Application-log
// event: 1 the correlation id ("{GUID}", or "CoId={GUID}"), 2 the user,
// 3 the connection name, then per event: 20227 and 20220 the error code;
// 20222 server, device, port, media type (on some builds one settings
// text "Device = …, Port = …", read by its labels).
func DecodeRasEvent(b []byte) (RasRecord, error) {
	var x eventXML
	if err := xml.Unmarshal(b, &x); err != nil {
		return RasRecord{}, fmt.Errorf("RasClient event XML: %w", err)
	}
	if !strings.EqualFold(x.System.Provider.Name, rasProvider) {
		return RasRecord{}, errNotRas
	}
	id, err := strconv.Atoi(strings.TrimSpace(x.System.EventID))
	if err != nil {
		return RasRecord{}, fmt.Errorf("RasClient event: EventID %q: %w", x.System.EventID, err)
	}
	switch id {
	case RasDialFailed, RasTerminated, RasProfile, RasLink, RasLinkUp:
	default:
		return RasRecord{}, errNotRas
	}
	r := RasRecord{EventID: id}
	r.RecordID, _ = strconv.ParseUint(strings.TrimSpace(x.System.EventRecordID), 10, 64)
	if t, err := time.Parse(time.RFC3339Nano, x.System.TimeCreated.SystemTime); err == nil {
		r.At = t
	}
	var d []string
	for _, f := range x.EventData.Data {
		v := strings.TrimSpace(f.Value)
		if len(v) > maxRasDataField {
			v = v[:maxRasDataField]
		}
		d = append(d, v)
	}
	field := func(i int) string {
		if i < len(d) {
			return d[i]
		}
		return ""
	}
	r.CoID = coIDRE().FindString(field(0))
	r.User, r.Connection = field(1), field(2)
	if r.CoID == "" {
		return RasRecord{}, fmt.Errorf("RasClient event %d: no correlation id in its first data field %q", id, field(0))
	}
	switch id {
	case RasDialFailed, RasTerminated:
		if c := field(3); rasCodeRE().MatchString(c) {
			r.Code = strings.TrimLeft(c, "0")
		}
	case RasLink:
		r.Device, r.Port = field(4), field(5)
		if !rasPortNam().MatchString(r.Port) {
			// One settings text: read its labels.
			r.Device, r.Port = "", ""
			all := strings.Join(d[min(3, len(d)):], "\n")
			if m := rasPortRE().FindStringSubmatch(all); m != nil {
				r.Port = m[1]
			}
			if m := rasDevRE().FindStringSubmatch(all); m != nil {
				r.Device = strings.TrimSpace(m[1])
			}
		}
	}
	return r, nil
}

// rasDial is what the correlator knows of one dial.
type rasDial struct {
	connection, device, port string
}

// RasCorrelator ties a dial's events together by correlation id: 20221 and
// 20222 name the profile, device and port; 20227 or 20220 says it failed.
type RasCorrelator struct {
	// Phonebook maps a connection name to its entry's resources
	// (discover.PhonebookEntry); nil: none.
	Phonebook func(name string) ([]vpnport.Resource, bool)
	dials     map[string]*rasDial
	order     []string
}

// maxRasDials bounds the dials remembered.
const maxRasDials = 64

// Add takes one record and returns the Event it completes, if any.
func (c *RasCorrelator) Add(r RasRecord) (Event, bool) {
	if c.dials == nil {
		c.dials = map[string]*rasDial{}
	}
	key := strings.ToUpper(r.CoID)
	d, ok := c.dials[key]
	if !ok {
		d = &rasDial{}
		c.dials[key] = d
		c.order = append(c.order, key)
		if len(c.order) > maxRasDials {
			delete(c.dials, c.order[0])
			c.order = c.order[1:]
		}
	}
	if r.Connection != "" {
		d.connection = r.Connection
	}
	if r.Device != "" {
		d.device = r.Device
	}
	if r.Port != "" {
		d.port = r.Port
	}
	ev := Event{Source: "rasclient", Program: "rasdial", Connection: d.connection, At: r.At}
	switch r.EventID {
	case RasLinkUp:
		ev.Kind = Connected
		return ev, true
	case RasDialFailed, RasTerminated:
	default:
		return Event{}, false
	}
	ev.Kind = Failed
	ev.Code = r.Code
	ev.Line = "error " + r.Code
	if n, err := strconv.Atoi(r.Code); err == nil {
		if e, ok := diagnose.LookupRASError(n); ok {
			ev.Line = fmt.Sprintf("Error %d: %s", n, e.Text)
			if e.Cause == "" {
				// The server, the network, credentials: nothing local
				// to check, and nothing to tell.
				return ev, true
			}
		}
	}
	if strings.HasPrefix(strings.ToUpper(d.port), "COM") {
		ev.Resources = append(ev.Resources, vpnport.Resource{Kind: vpnport.Device, Path: strings.ToUpper(d.port)})
	}
	if c.Phonebook != nil {
		if rs, ok := c.Phonebook(d.connection); ok {
			ev.Resources = append(ev.Resources, rs...)
		}
	}
	if len(ev.Resources) == 0 {
		ev.Resources = diagnose.ProgramPorts(diagnose.ProgRAS)
	}
	ev.Resources = Uniq(ev.Resources)
	return ev, true
}
