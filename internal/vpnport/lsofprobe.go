package vpnport

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport/lsof"
)

// macImpl is the macOS probe. It lives in an OS-neutral file so its tests
// run here with recorded lsof/netstat output; vpnport_darwin.go registers it
// with the real command runner.
type macImpl struct {
	run func(ctx context.Context, name string, args ...string) ([]byte, error)
}

func (m *macImpl) close() error { return nil }

func (m *macImpl) probe(ctx context.Context, rs []Resource, _ ProbeOptions, now time.Time) ([]Observation, error) {
	var portArgs []string
	tcpPorts := map[uint16]bool{}
	for _, r := range rs {
		switch r.Kind {
		case TCP:
			portArgs = append(portArgs, "-iTCP:"+strconv.Itoa(int(r.Port)))
			tcpPorts[r.Port] = true
		case UDP:
			portArgs = append(portArgs, "-iUDP:"+strconv.Itoa(int(r.Port)))
		}
	}
	var portProcs []lsof.Proc
	var timeWait []Socket
	if len(portArgs) > 0 {
		out, err := m.run(ctx, "lsof", append([]string{"-nP", "-Ts", "-F", "pcuLRftPnT"}, portArgs...)...)
		if err != nil {
			return nil, err
		}
		if portProcs, err = lsof.Parse(bytes.NewReader(out)); err != nil {
			return nil, err
		}
	}
	if len(tcpPorts) > 0 {
		out, err := m.run(ctx, "netstat", "-anv", "-p", "tcp")
		if err != nil {
			return nil, err
		}
		tw, err := lsof.ParseNetstatTimeWait(bytes.NewReader(out), tcpPorts)
		if err != nil {
			return nil, err
		}
		timeWait = timeWaitSockets(tw)
	}
	obs := make([]Observation, 0, len(rs))
	for _, r := range rs {
		o := Observation{Resource: r, At: now, Exists: true}
		if r.Kind != Device {
			lsofFill(&o, portProcs)
			for _, s := range timeWait {
				if r.Kind == TCP && s.Local.Port() == r.Port {
					o.Sockets = append(o.Sockets, s)
				}
			}
			obs = append(obs, o)
			continue
		}
		if _, err := os.Stat(r.Path); err != nil {
			o.Exists, o.OpenErr = false, err.Error()
			o.Available = macSerialDevices(r.Path)
			obs = append(obs, o)
			continue
		}
		out, err := m.run(ctx, "lsof", "-nP", "-F", "pcuLRftn", "--", r.Path)
		if err != nil {
			return nil, err
		}
		procs, err := lsof.Parse(bytes.NewReader(out))
		if err != nil {
			return nil, err
		}
		lsofFill(&o, procs)
		obs = append(obs, o)
	}
	return obs, nil
}

// macSerialDevices lists the serial devices of path's family: /dev/cu.* for
// a /dev/cu.* path, /dev/tty.* for a /dev/tty.* path.
func macSerialDevices(path string) []string {
	pattern := "/dev/cu.*"
	if strings.HasPrefix(path, "/dev/tty.") {
		pattern = "/dev/tty.*"
	}
	m, _ := filepath.Glob(pattern)
	slices.Sort(m)
	return m
}
