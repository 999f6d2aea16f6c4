// Package report builds the diagnostic report a helpdesk can act on
// (`traycheck report`, the tray's "Copy diagnostics"): versions, the config
// in effect, every watched resource with its holders, TIME_WAIT counts,
// reserved ranges, adapters, RAS connections, power events and recent
// findings. Reports are redacted by default (see Redactor).
//
// Build does not probe: the caller passes observations and findings (the CLI
// runs a check; the tray passes the watch loop's latest), so a report shows
// exactly what traycheck itself concluded.
package report

import (
	"context"
	"errors"
	"net"
	"slices"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/ras"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// NotRecorded is what a report says for facts traycheck did not keep.
const NotRecorded = "not recorded"

// Input is what the caller knows; Build adds what the OS says.
type Input struct {
	Version string
	// Config is the config in effect; nil when it failed to load
	// (ConfigErr says why).
	Config    *config.Config
	ConfigErr error
	// Layers names the config's layers ("policy FILE > FILE > discovered
	// (2 sources) > (embedded default)") and Settings says where each value
	// came from, as `config show` does; both empty when unknown (then the
	// report names Config.Source).
	Layers   string
	Settings []config.Setting
	// Run, when set, keeps only the journal's events of that run (the tray
	// passes its own); empty keeps the newest run's (see OwnEvents).
	Run string
	// Observations and Findings are one check of Config's resources, in
	// the same order; ProbeErr is set when the probe failed.
	Observations []vpnport.Observation
	Findings     []diagnose.Finding
	ProbeErr     error
	// LastSuspend and LastResume are zero when not recorded.
	LastSuspend, LastResume time.Time
	// Recent are the recent findings and actions from the journal; nil
	// means there is no journal (yet), as opposed to an empty one.
	Recent []Event
	// Now is the report's time; zero means time.Now().
	Now time.Time
}

// Event is one entry of the recent history: a finding that changed or an
// action the user took, with its outcome.
type Event struct {
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"` // "finding", "action" or "power"
	Resource string    `json:"resource"`
	// What is the cause or action id; Detail the message or outcome.
	What   string `json:"what"`
	Detail string `json:"detail,omitzero"`
	// Run is the id of the process that wrote it (see Journal.Run); empty
	// in journals written before runs were recorded.
	Run string `json:"run,omitzero"`
}

// Report is the whole diagnostic report. Its JSON form is the output of
// `traycheck report --json`.
type Report struct {
	Generated time.Time `json:"generated"`
	Version   string    `json:"traycheck_version"`
	OS        OSInfo    `json:"os"`
	// Redacted says user names and home paths were replaced and, unless
	// FullArgs, command-line arguments dropped.
	Redacted bool `json:"redacted"`
	FullArgs bool `json:"full_args"`

	Config      *ConfigInfo `json:"config"`
	ConfigError string      `json:"config_error,omitzero"`

	Resources  []Resource `json:"resources"`
	ProbeError string     `json:"probe_error,omitzero"`

	// Reserved lists the excluded port ranges the probe met on watched
	// ports (Windows); ReservedNote says when there can be none.
	Reserved     []vpnport.PortRange `json:"reserved_ranges"`
	ReservedNote string              `json:"reserved_note,omitzero"`

	Adapters     []Adapter `json:"adapters"`
	AdaptersNote string    `json:"adapters_note,omitzero"`

	RAS     []ras.Conn `json:"ras_connections"`
	RASNote string     `json:"ras_note,omitzero"`

	LastSuspend *time.Time `json:"last_suspend"`
	LastResume  *time.Time `json:"last_resume"`
	PowerNote   string     `json:"power_note,omitzero"`

	Recent     []Event `json:"recent"`
	RecentNote string  `json:"recent_note,omitzero"`
}

// ConfigInfo is the config in effect, in the words the config file uses.
type ConfigInfo struct {
	Source string `json:"source"`
	// Sources says where each value came from, by `config show`'s keys
	// ("vpn.ports": "discovered"); absent when not known.
	Sources         map[string]string `json:"sources,omitzero"`
	VPNName         string            `json:"vpn_name"`
	Ports           []string          `json:"ports"`
	Devices         []string          `json:"devices"`
	Clients         []string          `json:"clients"`
	SSHForwardPorts []uint16          `json:"ssh_forward_ports"`
	Adapter         string            `json:"adapter"`
	Reconnect       []string          `json:"reconnect"`
	Interval        string            `json:"interval"`
}

// Resource is one watched resource: the finding of the check plus the raw
// counts a helpdesk asks for.
type Resource struct {
	diagnose.Finding
	// TimeWait is the number of TIME_WAIT sockets on the port, and Sockets
	// of sockets in every state; nil (JSON null) when the caller had only
	// findings, no observations (the tray passes the watch loop's findings).
	TimeWait *int `json:"time_wait"`
	Sockets  *int `json:"sockets"`
	Exists   bool `json:"exists"`
	Busy     bool `json:"busy,omitzero"`
	// OpenErr is a device's passive-open error.
	OpenErr string `json:"open_err,omitzero"`
}

// Adapter is one network interface and its state. No hardware address: it
// identifies the machine and does not help.
type Adapter struct {
	Name  string   `json:"name"`
	Up    bool     `json:"up"`
	Flags string   `json:"flags"`
	MTU   int      `json:"mtu"`
	Addrs []string `json:"addrs"`
}

// The OS facts Build reads, as variables so tests can fix them.
var (
	interfaces     = net.Interfaces
	interfaceAddrs = (*net.Interface).Addrs
	rasConnections = ras.Connections
	excludedRanges = func() ([]vpnport.PortRange, error) {
		// netsh answers in a second; a hung one must not hold the report.
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		return vpnport.ExcludedRanges(ctx)
	}
)

// Build assembles an unredacted report from in and the OS (version,
// adapters, RAS connections). Pass it through Redact before showing it to
// anyone but the user.
func Build(in Input) *Report {
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	r := &Report{Generated: now.UTC().Truncate(time.Second), Version: in.Version, OS: osInfo(), FullArgs: true}
	if in.Config != nil {
		r.Config = configInfo(in.Config)
		if in.Layers != "" {
			r.Config.Source = in.Layers
		}
		if len(in.Settings) > 0 {
			r.Config.Sources = map[string]string{}
			for _, s := range in.Settings {
				r.Config.Sources[s.Key] = s.Source
			}
		}
	}
	if in.ConfigErr != nil {
		r.ConfigError = in.ConfigErr.Error()
	}
	if in.ProbeErr != nil {
		r.ProbeError = in.ProbeErr.Error()
	}
	r.Resources = []Resource{}
	r.Reserved = []vpnport.PortRange{}
	for i, f := range in.Findings {
		res := Resource{Finding: f, Exists: true}
		if i < len(in.Observations) {
			o := in.Observations[i]
			n, tw := len(o.Sockets), 0
			for _, s := range o.Sockets {
				if s.State == vpnport.StateTimeWait {
					tw++
				}
			}
			res.Sockets, res.TimeWait = &n, &tw
			res.Exists, res.Busy, res.OpenErr = o.Exists || o.Resource.Kind != vpnport.Device, o.Busy, o.OpenErr
			if o.Reserved != nil && !slices.Contains(r.Reserved, *o.Reserved) {
				r.Reserved = append(r.Reserved, *o.Reserved)
			}
		}
		r.Resources = append(r.Resources, res)
	}
	switch all, err := excludedRanges(); {
	case errors.Is(err, vpnport.ErrNotImplemented):
		r.ReservedNote = "reserved (excluded) port ranges exist only on Windows"
	case err != nil:
		r.ReservedNote = "could not read every excluded range: " + err.Error()
		fallthrough
	default:
		for _, pr := range all {
			if !slices.Contains(r.Reserved, pr) {
				r.Reserved = append(r.Reserved, pr)
			}
		}
	}
	r.Adapters, r.AdaptersNote = adapters()
	r.RAS = []ras.Conn{}
	if conns, err := rasConnections(); errors.Is(err, ras.ErrNotImplemented) {
		r.RASNote = "RAS exists only on Windows"
	} else if err != nil {
		r.RASNote = "listing RAS connections failed: " + rasErrorText(err)
	} else {
		r.RAS = append(r.RAS, conns...)
	}
	if !in.LastSuspend.IsZero() {
		t := in.LastSuspend.UTC()
		r.LastSuspend = &t
	}
	if !in.LastResume.IsZero() {
		t := in.LastResume.UTC()
		r.LastResume = &t
	}
	if r.LastSuspend == nil && r.LastResume == nil {
		r.PowerNote = NotRecorded
	}
	r.Recent = []Event{}
	if in.Recent == nil {
		r.RecentNote = NotRecorded
	} else {
		r.Recent = append(r.Recent, in.Recent...)
	}
	return r
}

func configInfo(c *config.Config) *ConfigInfo {
	ci := &ConfigInfo{
		Source: c.Source, VPNName: c.VPNName, Clients: append([]string{}, c.Clients...),
		SSHForwardPorts: append([]uint16{}, c.SSHForwardPorts...), Adapter: c.Adapter,
		Reconnect: append([]string{}, c.Reconnect...), Interval: c.Interval.String(),
		Ports: []string{}, Devices: []string{},
	}
	for _, p := range c.Ports {
		ci.Ports = append(ci.Ports, p.String())
	}
	for _, d := range c.Devices {
		ci.Devices = append(ci.Devices, d.String())
	}
	return ci
}

func adapters() ([]Adapter, string) {
	ifs, err := interfaces()
	if err != nil {
		return []Adapter{}, "listing adapters failed: " + err.Error()
	}
	out := make([]Adapter, 0, len(ifs))
	for _, ifc := range ifs {
		a := Adapter{Name: ifc.Name, Up: ifc.Flags&net.FlagUp != 0, Flags: ifc.Flags.String(), MTU: ifc.MTU, Addrs: []string{}}
		if addrs, err := interfaceAddrs(&ifc); err == nil {
			for _, ad := range addrs {
				a.Addrs = append(a.Addrs, ad.String())
			}
		}
		out = append(out, a)
	}
	return out, ""
}
