package vpnport

import (
	"context"
	"os"
	"slices"
	"sync"
	"time"
)

// Paths tests swap for fixtures. procRoot must be a real procfs for the
// walk (it reads fd links); lockDirs and sysTTYRoot may be any directories.
var (
	procRoot   = "/proc"
	lockDirs   = []string{"/var/lock", "/run/lock"}
	sysTTYRoot = "/sys/class/tty"
)

func init() {
	newOSImpl = func() osImpl { return &linuxProber{diag: linuxDiag{fd: -1}} }
}

// linuxProber answers with one netlink dump per port and family, then one
// /proc walk shared by every resource of the call.
type linuxProber struct {
	diag    linuxDiag
	scan    linuxScan
	holders linuxHolders

	limitedOnce sync.Once
	isLimited   bool
}

// limited reports, once per prober, whether this /proc cannot show every
// process of the machine (see procLimited).
func (p *linuxProber) limited() bool {
	p.limitedOnce.Do(func() { p.isLimited = procLimited(procRoot) })
	return p.isLimited
}

func (p *linuxProber) close() error { return p.diag.close() }

func (p *linuxProber) probe(ctx context.Context, rs []Resource, now time.Time) ([]Observation, error) {
	obs := make([]Observation, len(rs))
	s := &p.scan
	s.wants = s.wants[:0]
	devWant := make([]int, len(rs)) // index into s.wants, or -1
	for i, r := range rs {
		o := &obs[i]
		o.Resource, o.At, devWant[i] = r, now, -1
		switch r.Kind {
		case TCP, UDP:
			// A port always "exists"; Exists only speaks about devices.
			o.Exists = true
			var err error
			if o.Sockets, err = p.diag.dump(ctx, nil, r.Kind, r.Port); err != nil {
				return nil, err
			}
			for _, sk := range o.Sockets {
				if sk.Inode != 0 && !slices.ContainsFunc(s.wants, func(w linuxWant) bool { return w.rdev == 0 && w.inode == sk.Inode }) {
					s.wants = append(s.wants, linuxWant{inode: sk.Inode})
				}
			}
		case Device:
			if rdev := linuxStatDevice(o); rdev != 0 {
				devWant[i] = len(s.wants)
				s.wants = append(s.wants, linuxWant{rdev: rdev})
			}
			// A lock file matters even for a missing device: a crashed
			// program's lock outlives an unplugged adapter.
			o.Lock = linuxLockFile(r.Path)
		}
	}
	if err := s.scan(ctx); err != nil {
		return nil, err
	}
	euid := uint32(os.Geteuid())
	cache := map[int]Holder{}
	var allHidden []uint32 // users owning sockets we could not attribute
	for i := range obs {
		o := &obs[i]
		var pids []int
		if o.Resource.Kind == Device {
			if devWant[i] >= 0 {
				pids = slices.Sorted(slices.Values(s.wants[devWant[i]].pids))
				// Open only when the passive answer is incomplete: nothing
				// readable holds it, some processes were not readable, no
				// live lock owner already explains it (see linuxTryOpen), and
				// a person asked for this check (AllowDeviceOpen).
				if len(pids) == 0 && s.unreadable > 0 {
					o.Unseen = true
					if (o.Lock == nil || !o.Lock.Alive) && DeviceOpenAllowed(ctx) {
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
				for _, w := range s.wants {
					if w.rdev == 0 && w.inode == sk.Inode {
						sk.PIDs = slices.Sorted(slices.Values(w.pids))
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
				if h, ok = p.holders.holder(pid); !ok {
					continue // exited since the walk
				}
				cache[pid] = h
			}
			o.Holders = append(o.Holders, h)
		}
		kernelExact := false
		if o.Resource.Kind == UDP && linuxUnowned(o.Sockets) {
			o.KernelHolder, kernelExact = linuxKernelUDPHolderExact(o.Resource.Port)
		}
		hiddenUIDs := markHiddenOwners(o.Sockets, procView{unreadable: s.unreadable > 0, limited: p.limited()}, euid)
		if kernelExact {
			hiddenUIDs = unhideKernelSockets(o.Sockets, hiddenUIDs)
		}
		for _, uid := range hiddenUIDs {
			o.Holders = append(o.Holders, Holder{Hidden: true, UID: uid, User: p.holders.userName(uid), Cmdline: []string{}})
		}
		for _, uid := range hiddenUIDs {
			if !slices.Contains(allHidden, uid) {
				allHidden = append(allHidden, uid)
			}
		}
	}
	for i := range s.wants {
		s.wants[i].pids = nil
	}
	p.addCandidates(ctx, obs, allHidden)
	return obs, nil
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
