package vpnport

import (
	"context"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport/owners"
	"github.com/traycheck/traycheck/internal/vpnport/procfs"
	"github.com/traycheck/traycheck/internal/vpnport/serial"
	"github.com/traycheck/traycheck/internal/vpnport/sockdiag"
)

// Paths tests swap for fixtures (any directories will do). The procfs the
// owners and the process details are read from is a field of each
// (owners.Finder.Root, procfs.Reader.Root), empty for /proc.
var (
	lockDirs   = []string{"/run/lock", "/var/lock", "/var/spool/uucp", "/var/spool/lock"}
	sysTTYRoot = "/sys/class/tty"
)

func init() {
	newOSImpl = func() osImpl {
		return &linuxProber{owners: owners.Finder{}, holders: linuxHolders{procfs.Reader{}}}
	}
}

// linuxProber answers with one netlink dump per port and family, then one
// /proc walk shared by every resource of the call.
type linuxProber struct {
	diag    linuxDiag
	owners  owners.Finder
	holders linuxHolders

	// fullAt is when every port was last dumped in all states and every
	// process walked; listeners remembers each TCP port's listening socket
	// inodes from the last probe (see dumpPort).
	fullAt    time.Time
	listeners map[uint16][]uint64

	limitedOnce sync.Once
	isLimited   bool

	// listed: the last complete look came from the BPF task-file list
	// (tests check that both ways were taken).
	listed bool
}

// limited reports, once per prober, whether this /proc cannot show every
// process of the machine (see procfs.Reader.Limited).
func (p *linuxProber) limited() bool {
	p.limitedOnce.Do(func() { p.isLimited = p.holders.Limited() })
	return p.isLimited
}

func (p *linuxProber) close() error {
	p.owners.Close()
	return p.diag.close()
}

func (p *linuxProber) probe(ctx context.Context, rs []Resource, opts ProbeOptions, now time.Time) ([]Observation, error) {
	obs := make([]Observation, len(rs))
	devWant := make([]int, len(rs)) // index into wants, or -1
	nodes := make([]serial.Node, len(rs))
	// A check a person asked for looks at everything afresh: its finding
	// is the one a click on "End ..." acts on. Interval checks do so every
	// owners.MemoMaxAge.
	full := opts.fresh() || p.fullAt.IsZero() || now.Sub(p.fullAt) >= owners.MemoMaxAge || now.Before(p.fullAt)
	q := owners.Query{Now: now, Full: full, Devices: slices.ContainsFunc(rs, func(r Resource) bool { return r.Kind == Device })}
	var wants []owners.Want
	// On a complete look the owners' list of every process's sockets runs
	// while the sockets are dumped here.
	found, err := p.owners.Lookup(ctx, q, func(ws []owners.Want) ([]owners.Want, error) {
		for i, r := range rs {
			o := &obs[i]
			o.Resource, o.At, devWant[i] = r, now, -1
			switch r.Kind {
			case TCP, UDP:
				// A port always "exists"; Exists only speaks about devices.
				o.Exists = true
				var err error
				if o.Sockets, err = p.dumpPort(ctx, r, full); err != nil {
					return nil, err
				}
				for _, sk := range o.Sockets {
					if sk.Inode != 0 && !slices.ContainsFunc(ws, func(w owners.Want) bool { return w.Rdev == 0 && w.Inode == sk.Inode }) {
						ws = append(ws, owners.Want{Inode: sk.Inode})
					}
				}
			case Device:
				nodes[i] = linuxStatDevice(o)
				if nodes[i].Rdev != 0 {
					devWant[i] = len(ws)
					ws = append(ws, owners.Want{Rdev: nodes[i].Rdev})
				}
				// A lock file matters even for a missing device: a crashed
				// program's lock outlives an unplugged adapter.
				o.Lock, o.BadLock = linuxLockFile(r.Path, nodes[i])
			}
		}
		wants = ws
		return ws, nil
	})
	if err != nil {
		return nil, err
	}
	if full {
		p.fullAt = now
	}
	p.listed = found.Listed
	euid := uint32(os.Geteuid())
	cache := map[int]Holder{}
	var allHidden []uint32 // users owning sockets we could not attribute
	for i := range obs {
		o := &obs[i]
		var pids []int
		if o.Resource.Kind == Device {
			if devWant[i] >= 0 {
				// flock() holders (picocom, pyserial) count as holders:
				// the kernel says they have the device, as an fd does.
				pids = serial.FlockHolders(nodes[i], slices.Clone(found.PIDs[devWant[i]]))
				slices.Sort(pids)
				pids = slices.Compact(pids)
				// Open only when the passive answer is incomplete: nothing
				// readable holds it, some processes were not readable, no
				// live lock owner already explains it (see linuxTryOpen), and
				// a person asked for this check (ProbeOptions.Person).
				if len(pids) == 0 && found.Unreadable > 0 {
					o.Unseen = true
					if (o.Lock == nil || !o.Lock.Alive) && opts.openDevice() {
						linuxTryOpen(o)
					}
				}
			}
		} else {
			for j := range o.Sockets {
				sk := &o.Sockets[j]
				if sk.Inode == 0 {
					continue
				}
				for wi, w := range wants {
					if w.Rdev == 0 && w.Inode == sk.Inode {
						sk.PIDs = slices.Sorted(slices.Values(found.PIDs[wi]))
					}
				}
				for _, pid := range sk.PIDs {
					if !slices.Contains(pids, pid) {
						pids = append(pids, pid)
					}
				}
			}
			slices.Sort(pids)
		}
		for _, pid := range pids {
			h, ok := cache[pid]
			if !ok {
				// A socket holder's start time was confirmed with its fd:
				// details of a process that reused the PID since are not
				// reported as the holder's.
				if h, ok = p.holders.holder(pid, found.StartOf(pid)); !ok {
					continue // exited since the walk
				}
				cache[pid] = h
			}
			o.Holders = append(o.Holders, h)
		}
		if o.Lock != nil && o.Lock.Alive {
			if h, ok := p.holders.holder(o.Lock.PID, 0); ok {
				o.Lock.Holder = &h
			}
		}
		kernelExact := false
		if o.Resource.Kind == UDP && linuxUnowned(o.Sockets) {
			o.KernelHolder, kernelExact = linuxKernelUDPHolderExact(ctx, o.Resource.Port)
		}
		hiddenUIDs := markHiddenOwners(o.Sockets, procView{unreadable: found.Unreadable > 0, limited: p.limited()}, euid)
		if kernelExact {
			hiddenUIDs = unhideKernelSockets(o.Sockets, hiddenUIDs)
		}
		for _, uid := range hiddenUIDs {
			o.Holders = append(o.Holders, Holder{Hidden: true, UID: uid, User: p.holders.UserName(uid), Cmdline: []string{}})
		}
		for _, uid := range hiddenUIDs {
			if !slices.Contains(allHidden, uid) {
				allHidden = append(allHidden, uid)
			}
		}
	}
	p.addCandidates(ctx, obs, allHidden, opts.Clients)
	return obs, nil
}

// dumpPort returns the sockets on r's port. A TCP port that had listeners
// at the last probe is first asked for its listeners alone, which the
// kernel answers from its listening hash without walking the established
// hash (the bulk of a dump: about 1.3 ms per address family on a machine
// with 262,144 buckets, against 10 us). When the same listeners are still
// there, the conflict stands as it was and that answer is used: the
// established and TIME_WAIT sockets it leaves out belong to the listeners'
// owners or to no one, and do not change who holds the port. Anything else
// (a listener gone or added, a full check) gets the dump of every state.
func (p *linuxProber) dumpPort(ctx context.Context, r Resource, full bool) ([]Socket, error) {
	if r.Kind == TCP && !full && len(p.listeners[r.Port]) > 0 {
		socks, err := p.diag.dumpStates(ctx, nil, TCP, sockdiag.ListenOnly, r.Port)
		if err != nil {
			return nil, err
		}
		if slices.Equal(listenerInodes(socks), p.listeners[r.Port]) {
			return socks, nil
		}
	}
	socks, err := p.diag.dump(ctx, nil, r.Kind, r.Port)
	if err != nil {
		return nil, err
	}
	if r.Kind == TCP {
		if p.listeners == nil {
			p.listeners = map[uint16][]uint64{}
		}
		if l := listenerInodes(socks); len(l) > 0 {
			p.listeners[r.Port] = l
		} else {
			delete(p.listeners, r.Port)
		}
	}
	return socks, nil
}

// listenerInodes returns the sorted inodes of the listening sockets.
func listenerInodes(socks []Socket) []uint64 {
	var l []uint64
	for _, s := range socks {
		if s.State == StateListen && s.Inode != 0 {
			l = append(l, s.Inode)
		}
	}
	slices.Sort(l)
	return l
}

// linuxUnowned reports whether a live socket has no owner process: the only
// case in which the kernel's own users of a port are worth looking up.
func linuxUnowned(socks []Socket) bool {
	for _, s := range socks {
		if s.State != StateTimeWait && len(s.PIDs) == 0 && !s.OwnerHidden {
			return true
		}
	}
	return false
}
