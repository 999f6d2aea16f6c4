package vpnport

import (
	"context"
	"log/slog"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/windows"

	"github.com/traycheck/traycheck/internal/vpnport/serial"
	"github.com/traycheck/traycheck/internal/vpnport/wintable"
)

// The Windows probe: port owners from iphlpapi's owner-PID tables and
// process details (package wintable reads them), excluded port ranges from
// netsh, COM ports by a passive exclusive open. Every buffer it reads is
// decoded by OS-neutral code (packages wintable and serial, netsh.go).

func init() {
	newOSImpl = func() osImpl { return newWinImpl() }
	excludedRanges = func(ctx context.Context) ([]PortRange, error) {
		return newNetshRanges(winRunNetsh, 0).get(ctx, time.Now())
	}
}

var (
	winNetshTimeout         = 10 * time.Second
	winCOMHolderSearchLimit = 3 * time.Second
)

type winImpl struct {
	tables wintable.Tables
	ranges *netshRanges
}

func newWinImpl() *winImpl {
	return &winImpl{ranges: newNetshRanges(winRunNetsh, NetshRangesTTL)}
}

// winRunNetsh runs netsh with argv (no shell) and a timeout, without a
// console window flashing up from the GUI binary.
func winRunNetsh(ctx context.Context, args []string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, winNetshTimeout)
	defer cancel()
	// By full path: a PATH entry the user can write must not shadow netsh.
	netsh := "netsh.exe"
	if dir, err := windows.GetSystemDirectory(); err == nil {
		netsh = filepath.Join(dir, "netsh.exe")
	}
	cmd := exec.CommandContext(ctx, netsh, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true, CreationFlags: windows.CREATE_NO_WINDOW}
	return cmd.Output()
}

func (w *winImpl) close() error { return nil }

func (w *winImpl) probe(ctx context.Context, rs []Resource, opts ProbeOptions, now time.Time) ([]Observation, error) {
	ports := map[Kind]map[uint16]bool{}
	for _, r := range rs {
		if r.Kind == TCP || r.Kind == UDP {
			if ports[r.Kind] == nil {
				ports[r.Kind] = map[uint16]bool{}
			}
			ports[r.Kind][r.Port] = true
		}
	}
	var rows []wintable.Row
	for _, kind := range []wintable.Kind{wintable.TCP4, wintable.TCP6, wintable.UDP4, wintable.UDP6} {
		want := ports[TCP]
		if kind == wintable.UDP4 || kind == wintable.UDP6 {
			want = ports[UDP]
		}
		if want == nil {
			continue
		}
		var err error
		if rows, err = w.tables.Rows(kind, want, rows); err != nil {
			return nil, err
		}
	}
	socks := winSockets(rows, nil)
	var ranges []PortRange
	if len(ports) > 0 {
		var err error
		if ranges, err = w.ranges.get(ctx, now); err != nil {
			// Without netsh the port answers are still right; only the
			// reserved-range cause is unavailable.
			slog.Debug("reading excluded port ranges", "err", err)
		}
	}

	procs := newWinProcs()
	defer procs.close()
	out := make([]Observation, 0, len(rs))
	for _, r := range rs {
		o := Observation{Resource: r, At: now, Exists: true}
		if r.Kind == Device {
			w.probeDevice(ctx, &o, procs, opts.openDevice())
			out = append(out, o)
			continue
		}
		o = winPortObservation(r, socks, ranges, procs.holder, now)
		out = append(out, o)
	}
	return out, nil
}

// probeDevice opens a COM port the way a dialer would (exclusive read/write)
// and closes it at once, so a free port is never held for longer than the
// call. Only an elevated probe can name who has a busy port open.
func (w *winImpl) probeDevice(ctx context.Context, o *Observation, procs *winProcs, mayOpen bool) {
	name, isCOM := serial.COMName(o.Resource.Path)
	path := o.Resource.Path
	if isCOM {
		path = serial.COMDevicePath(name)
	}
	if !mayOpen {
		// The background check never opens the port (opening raises DTR,
		// which resets some boards): it only says whether the port exists.
		if isCOM {
			devices, err := serial.Ports()
			if err != nil {
				slog.Debug("reading SERIALCOMM", "err", err)
				return
			}
			names := make([]string, 0, len(devices))
			for _, com := range devices {
				names = append(names, com)
			}
			o.Exists = slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, name) })
			if !o.Exists {
				o.Available = serial.SortCOMPorts(names)
			}
		}
		return
	}
	r := serial.TryOpen(path)
	o.Exists, o.Busy, o.OpenErr = !r.Missing, r.Busy, r.Err
	if !isCOM {
		return
	}
	devices, err := serial.Ports()
	if err != nil {
		slog.Debug("reading SERIALCOMM", "err", err)
	}
	if !o.Exists {
		names := make([]string, 0, len(devices))
		for _, com := range devices {
			names = append(names, com)
		}
		o.Available = serial.SortCOMPorts(names)
		return
	}
	if !o.Busy || !windows.GetCurrentProcessToken().IsElevated() {
		return
	}
	var object string
	for dev, com := range devices {
		if com == name {
			object = dev
		}
	}
	if object == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, winCOMHolderSearchLimit)
	defer cancel()
	pids, err := wintable.DeviceHolders(ctx, object)
	if err != nil {
		slog.Debug("searching handle table", "device", object, "err", err)
	}
	for _, pid := range pids {
		o.Holders = append(o.Holders, procs.holder(pid))
	}
}
