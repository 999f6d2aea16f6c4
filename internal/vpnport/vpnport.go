// Package vpnport answers one question fast: what holds this port or device
// right now? It reports raw observations (sockets, owning processes, lock files,
// device state); deciding what they mean is the job of package diagnose.
//
// vpnport is an assembler. The exported API lives in this file; each OS
// registers an unexported osImpl in its own file (vpnport_linux.go,
// vpnport_windows.go, vpnport_darwin.go) that asks the data sources below
// and turns their records into Observations. No data source imports
// vpnport or another data source's types (docs/architecture.md, checked by
// internal/archtest), as tailscale's portlist converts net/netstat's
// entries:
//
//	Linux    sockdiag (sockets, over netlink), tunnels (kernel WireGuard and
//	         friends), owners (who holds a socket or device: the remembered
//	         owners, the BPF task-file list, the /proc walk), procfs
//	         (process details), serial (device nodes, UUCP locks, flock)
//	Windows  wintable (owner-PID tables, process details, the handle
//	         table), netsh (excluded port ranges), serial (COM ports)
//	macOS    lsof (lsof and netstat output)
//
// Parsers and decoders of OS output live in files without an OS suffix so
// that their tests run everywhere.
package vpnport

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/traycheck/traycheck/internal/portnum"
	"github.com/traycheck/traycheck/internal/vpnport/serial"
)

// ErrNotImplemented is returned by Probe on an OS that has no probe.
var ErrNotImplemented = errors.New("vpnport: probing is not implemented on this OS")

// Kind says what sort of resource a Resource is.
type Kind string

// The resource kinds. Their string values are part of the JSON contract.
const (
	TCP    Kind = "tcp"
	UDP    Kind = "udp"
	Device Kind = "device"
)

// Resource is something the user configured or asked about: a local TCP or UDP
// port, or a device (a serial/modem path such as /dev/ttyUSB0 or COM3).
type Resource struct {
	Kind Kind   `json:"kind"`
	Port uint16 `json:"port,omitzero"`
	Path string `json:"path,omitzero"`
}

// String renders r the way users write it: "udp/1194", "tcp/443", "/dev/ttyUSB0".
func (r Resource) String() string {
	if r.Kind == Device {
		return r.Path
	}
	return string(r.Kind) + "/" + strconv.Itoa(int(r.Port))
}

// ParseTarget parses one target as a user types it: "tcp/N", "udp/N", "N"
// (both protocols), or a device path ("/dev/ttyUSB0", "COM3"). Port 0 and
// ports above 65535 are rejected.
func ParseTarget(s string) ([]Resource, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("empty target")
	}
	if proto, port, ok := strings.Cut(s, "/"); ok && (proto == "tcp" || proto == "udp") {
		p, err := parsePort(port)
		if err != nil {
			return nil, fmt.Errorf("target %q: %w", s, err)
		}
		return []Resource{{Kind: Kind(proto), Port: p}}, nil
	}
	if s[0] >= '0' && s[0] <= '9' {
		p, err := parsePort(s)
		if err != nil {
			return nil, fmt.Errorf("target %q: %w", s, err)
		}
		return []Resource{{Kind: TCP, Port: p}, {Kind: UDP, Port: p}}, nil
	}
	if IsDevicePath(s) {
		return []Resource{{Kind: Device, Path: s}}, nil
	}
	return nil, fmt.Errorf("target %q: want tcp/PORT, udp/PORT, PORT or a device path (/dev/ttyUSB0, COM3)", s)
}

// IsDevicePath reports whether s looks like a device: an absolute path or a
// Windows COM port name as serial.COMName reads it (COM1..COM256,
// case-insensitive, no leading zero or sign).
func IsDevicePath(s string) bool {
	if strings.HasPrefix(s, "/") || strings.HasPrefix(s, `\\.\`) {
		return true
	}
	_, ok := serial.COMName(s)
	return ok
}

func parsePort(s string) (uint16, error) { return portnum.Parse(s) }

// State is a socket state as the kernel names it ("LISTEN", "ESTABLISHED",
// "TIME_WAIT", ...). A bound, unconnected UDP socket is "UNCONN", as ss says.
type State string

// The states diagnosis cares about by name.
const (
	StateListen      State = "LISTEN"
	StateEstablished State = "ESTABLISHED"
	StateTimeWait    State = "TIME_WAIT"
	StateUnconn      State = "UNCONN"
)

// Socket is one kernel socket whose local port is the resource's port.
type Socket struct {
	Proto  Kind           `json:"proto"`
	State  State          `json:"state"`
	Local  netip.AddrPort `json:"local"`
	Remote netip.AddrPort `json:"remote,omitzero"`
	// UID owns the socket (inet_diag's idiag_uid); on Windows it is 0.
	UID uint32 `json:"uid"`
	// Inode is the socket inode; 0 for kernel sockets and TIME_WAIT.
	Inode uint64 `json:"inode,omitzero"`
	// TimerLeft is how long until a TIME_WAIT socket expires.
	TimerLeft time.Duration `json:"timer_left_ns,omitzero"`
	// PIDs are the processes found holding this socket (several with
	// SO_REUSEPORT or after fork).
	PIDs []int `json:"pids,omitempty"`
	// OwnerHidden is set when no owner was found but some processes could not
	// be inspected (another user's, while unprivileged): the socket is held by
	// someone, not free and not kernel-owned.
	OwnerHidden bool `json:"owner_hidden,omitzero"`
}

// Holder is a process that holds a resource, or, when Hidden, a process of a
// known user whose PID cannot be read without privileges.
type Holder struct {
	PID     int       `json:"pid"`
	Name    string    `json:"name"`
	Exe     string    `json:"exe"`
	User    string    `json:"user"`
	UID     uint32    `json:"uid"`
	Started time.Time `json:"started,omitzero"`
	Cmdline []string  `json:"cmdline"`
	// Service names the OS service behind a shared host process (Windows
	// svchost: "IKEEXT"), so users read the service, not "svchost.exe".
	Service string `json:"service,omitzero"`
	// Hidden means the owner exists but its PID and details are not readable.
	Hidden bool `json:"hidden,omitzero"`
	// Kernel means the kernel itself holds it (PID 4 on Windows, HTTP.sys).
	Kernel bool `json:"kernel,omitzero"`
	// Probable marks a guess, not a fact: the owner's fds were hidden, and
	// this process (a configured VPN client of the owner's user) is the
	// likely holder. Nothing may act on a probable holder.
	Probable bool `json:"probable,omitzero"`
	// Unit is the systemd service the process runs in ("dnsmasq.service"):
	// a service is stopped as a unit, not by ending its process. UserUnit
	// says it is the user's own service (systemctl --user).
	Unit     string `json:"unit,omitzero"`
	UserUnit bool   `json:"user_unit,omitzero"`
	// Container is the Docker container a docker-proxy forwards the port to:
	// its name when the engine answers, else its address and port.
	Container string `json:"container,omitzero"`
	// Role is the stable id of what the holder is beyond its program
	// ("ssh-mux-master", "systemd-service"), set by diagnosis from its table
	// of known culprits.
	Role string `json:"role,omitzero"`
}

// LockFile is a UUCP-style lock (/var/lock/LCK..ttyUSB0) for a device.
type LockFile struct {
	Path  string `json:"path"`
	PID   int    `json:"pid"`
	Alive bool   `json:"alive"`
	// Holder is the live process the lock names, when it could be read.
	// The lock file is only a claim (anyone may write one, and a PID can
	// be reused), so this process is named, never ended on its word alone.
	Holder *Holder `json:"holder,omitempty"`
}

// BadLock is a file at a lock name that is not a lock, and why not.
type BadLock struct {
	Path string `json:"path"`
	Why  string `json:"why"`
}

// PortRange is an inclusive range of ports, such as a Windows excluded range.
type PortRange struct {
	Proto Kind   `json:"proto"`
	Start uint16 `json:"start"`
	End   uint16 `json:"end"`
	// Administered is true for ranges an administrator added (netsh "*").
	Administered bool `json:"administered,omitzero"`
}

// String renders the range as "tcp 50000-50059".
func (r PortRange) String() string {
	return fmt.Sprintf("%s %d-%d", r.Proto, r.Start, r.End)
}

// Observation is everything the probe saw about one resource at one moment.
// It is raw fact; package diagnose turns it into a Finding.
type Observation struct {
	Resource Resource  `json:"resource"`
	At       time.Time `json:"at"`

	// Sockets holds every socket on the port, IPv4 and IPv6, all states.
	Sockets []Socket `json:"sockets,omitempty"`
	// Holders are the distinct processes behind Sockets' PIDs, or that have the
	// device open, plus one Hidden holder per user whose sockets could not be
	// attributed.
	Holders []Holder `json:"holders,omitempty"`

	// Exists is false for a device path that does not exist.
	Exists bool `json:"exists"`
	// Busy is set when the device refused a passive open with EBUSY (TIOCEXCL)
	// or, on Windows, ERROR_ACCESS_DENIED/ERROR_SHARING_VIOLATION.
	Busy bool `json:"busy,omitzero"`
	// Lock is the device's UUCP lock file, if one exists.
	Lock *LockFile `json:"lock,omitempty"`
	// BadLock is a file at one of the device's lock names that is no lock
	// (a FIFO, a symlink, no PID in it): anyone can plant one, a crash
	// mid-write leaves one, and minicom refuses the device (cu and minicom
	// hang on a FIFO) while it is there.
	BadLock *BadLock `json:"bad_lock,omitempty"`
	// Unseen is set for a device no visible process holds while some
	// processes could not be inspected (an unprivileged probe): a holder
	// may be hidden, so "free" is only as far as the probe can see.
	Unseen bool `json:"unseen,omitzero"`
	// OpenErr is the error a passive open returned, if any, for the message.
	OpenErr string `json:"open_err,omitzero"`
	// Available lists devices of the same family that do exist, so a
	// device-missing finding can say what to pick instead.
	Available []string `json:"available,omitempty"`
	// Reserved is the excluded port range containing the port (Windows).
	Reserved *PortRange `json:"reserved,omitempty"`
	// KernelHolder names what in the kernel likely holds a port that no
	// process holds ("WireGuard interface wg0"), when the probe can tell.
	KernelHolder string `json:"kernel_holder,omitzero"`
	// USBID is a USB serial device's "vendor:product" ids ("12d1:1001"),
	// for the udev rule that keeps ModemManager off it; empty otherwise.
	USBID string `json:"usb_id,omitzero"`
	// Candidates are running processes of a hidden owner's user whose name
	// is one of the client names the probe was given (ProbeOptions.Clients):
	// which of them holds the port cannot be read, so diagnosis may only
	// guess from their command lines.
	Candidates []Holder `json:"candidates,omitempty"`
}

// HolderByPID returns the holder with that PID, if any.
func (o *Observation) HolderByPID(pid int) (Holder, bool) {
	for _, h := range o.Holders {
		if h.PID == pid && !h.Hidden {
			return h, true
		}
	}
	return Holder{}, false
}

// ProbeOptions say who asked for a probe and what it may know. The zero
// value is the background interval check: passive, remembering.
type ProbeOptions struct {
	// Person marks a check a person asked for (`traycheck check`, "Check
	// now", explain, the report). Its finding is the one a click on
	// "End ..." acts on, so such a probe looks at everything afresh
	// instead of trusting what it remembered from earlier checks, and it
	// may open a device for a moment when the passive checks cannot tell
	// whether it is busy. Opening a serial port raises DTR and closing
	// drops it, which resets Arduino-type boards and can disturb a modem,
	// so the background interval check never does it.
	Person bool
	// Clients are the program names of the configured VPN clients: for a
	// port whose owner is hidden, the probe reports the running processes
	// of that name and user as Observation.Candidates.
	Clients []string
}

// openDevice reports whether the probe may open a device briefly.
func (o ProbeOptions) openDevice() bool { return o.Person }

// fresh reports whether the probe must not trust what earlier probes saw.
func (o ProbeOptions) fresh() bool { return o.Person }

// osImpl is what each OS provides. probe answers for all resources in one
// call so an implementation can share work (one /proc walk for many inodes).
type osImpl interface {
	probe(ctx context.Context, rs []Resource, opts ProbeOptions, now time.Time) ([]Observation, error)
	close() error
}

// threadBinder is implemented by an osImpl whose answer depends on the
// calling thread (Linux: its network namespace, which a caller may have
// entered with setns on a locked thread). bindThread runs on the caller;
// the function it returns, if any, runs first on the probe's goroutine and
// puts that goroutine's thread where the caller's is; the leave function
// that returns runs after the probe and puts the thread back.
type threadBinder interface {
	bindThread() (enter func() (leave func(), err error), err error)
}

// newOSImpl is set by the OS file's init; nil means no probe on this OS.
var newOSImpl func() osImpl

// ErrProbeStuck is returned by Probe when the context ended before the
// probe did, or while an earlier probe is still blocked in the kernel: a
// device or lock file on a hung file system, a driver whose open never
// returns. Waiting on it would stall every check and make the program deaf
// to its context (and so to SIGTERM); the blocked call is left behind.
var ErrProbeStuck = errors.New("probe did not finish")

// Prober probes resources. It keeps buffers between calls, so reuse one
// Prober; it is safe for use by one goroutine at a time.
type Prober struct {
	impl osImpl
	// stuck is the done channel of a probe that outlived its context; its
	// goroutine still owns impl's buffers, so no probe may start until it
	// is closed.
	stuck      chan struct{}
	stuckSince time.Time
}

// New returns a Prober for this OS.
func New() *Prober {
	p := &Prober{}
	if newOSImpl != nil {
		p.impl = newOSImpl()
	}
	return p
}

// Probe observes each resource once and returns one Observation per resource,
// in order. It returns an error only when the probe itself failed (netlink
// refused, /proc unreadable); a held or missing resource is an observation,
// not an error.
//
// Probe returns when ctx ends even if a system call of the probe never
// does (ErrProbeStuck): the probe runs on its own goroutine, which is left
// blocked, and until it returns every later Probe fails at once with
// ErrProbeStuck instead of piling up more blocked threads.
func (p *Prober) Probe(ctx context.Context, rs []Resource, opts ProbeOptions) ([]Observation, error) {
	if p.impl == nil {
		return nil, ErrNotImplemented
	}
	if p.stuck != nil {
		select {
		case <-p.stuck:
			p.stuck = nil
		default:
			return nil, fmt.Errorf("%w: the check started at %s is still blocked in a system call (a device or lock file on a hung file system?)",
				ErrProbeStuck, p.stuckSince.Format(time.TimeOnly))
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var enter func() (func(), error)
	if tb, ok := p.impl.(threadBinder); ok {
		var err error
		if enter, err = tb.bindThread(); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	done := make(chan struct{})
	var obs []Observation
	var err error
	go func() {
		defer close(done)
		if enter != nil {
			leave, eerr := enter()
			if eerr != nil {
				err = eerr
				return
			}
			defer leave()
		}
		obs, err = p.impl.probe(ctx, rs, opts, start)
	}()
	select {
	case <-done:
		return obs, err
	case <-ctx.Done():
		select {
		case <-done: // finished meanwhile: its answer is as good as any
			return obs, err
		default:
		}
		p.stuck, p.stuckSince = done, start
		took := time.Since(start).Round(time.Millisecond)
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("%w after %v (%w): a system call is blocked (a device or lock file on a hung file system?)",
				ErrProbeStuck, took, context.Cause(ctx))
		}
		return nil, fmt.Errorf("%w: stopped after %v (%w)", ErrProbeStuck, took, context.Cause(ctx))
	}
}

// Close releases the prober's OS handles (netlink socket, open files). A
// probe still blocked keeps them until it returns; they are released then.
func (p *Prober) Close() error {
	if p.impl == nil {
		return nil
	}
	if p.stuck != nil {
		impl, stuck := p.impl, p.stuck
		go func() { <-stuck; impl.close() }()
		return nil
	}
	return p.impl.close()
}

// excludedRanges is set by OSes that reserve port ranges (Windows).
var excludedRanges func(ctx context.Context) ([]PortRange, error)

// ExcludedRanges returns every excluded (reserved) port range of the machine,
// TCP and UDP, IPv4 and IPv6: on Windows the Hyper-V/WinNAT exclusions that
// netstat does not show. Elsewhere it returns ErrNotImplemented.
func ExcludedRanges(ctx context.Context) ([]PortRange, error) {
	if excludedRanges == nil {
		return nil, ErrNotImplemented
	}
	return excludedRanges(ctx)
}
