package vpnport

import (
	"bytes"
	"context"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// linuxCandidates lists the processes of the given users whose comm is one
// of names, reading only what other users may read: comm, status, stat and
// cmdline. It runs only for a port with a hidden owner, so one extra pass
// over /proc's directory is affordable.
func (p *linuxProber) linuxCandidates(ctx context.Context, names []string, uids []uint32) []Holder {
	if len(names) == 0 || len(uids) == 0 {
		return nil
	}
	ents, err := os.ReadDir(p.holders.Dir())
	if err != nil {
		return nil
	}
	var out []Holder
	for _, e := range ents {
		if ctx.Err() != nil {
			break
		}
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		// The holder reader's buffer is reused: no allocation per process.
		comm, err := p.holders.Read(e.Name() + "/comm")
		if err != nil || !commMatches(string(bytes.TrimSpace(comm)), names) {
			continue
		}
		h, ok := p.holders.holder(pid, 0)
		// An empty cmdline is a zombie (or a kernel thread): no holder.
		// A process whose fds we can read was already searched and does
		// not hold the port.
		if !ok || len(h.Cmdline) == 0 || fdsReadable(p.holders.Dir(), pid) || !candidateOf(h.UID, uids) {
			continue
		}
		out = append(out, h)
	}
	return out
}

// addCandidates gives each observation with hidden owners the candidates of
// those owners' users, from one pass over /proc for the whole probe.
func (p *linuxProber) addCandidates(ctx context.Context, obs []Observation, uids []uint32, clients []string) {
	cands := p.linuxCandidates(ctx, clients, uids)
	if len(cands) == 0 {
		return
	}
	for i := range obs {
		o := &obs[i]
		var inodes []uint64
		for _, s := range o.Sockets {
			if s.OwnerHidden {
				inodes = append(inodes, s.Inode)
			}
		}
		for _, h := range o.Holders {
			if !h.Hidden {
				continue
			}
			for _, c := range cands {
				if candidateOf(c.UID, []uint32{h.UID}) && p.inOurNetNS(c.PID, o.Resource.Kind, inodes) {
					o.Candidates = append(o.Candidates, c)
				}
			}
		}
	}
}

// inOurNetNS reports whether pid's network namespace holds one of the
// sockets (see procNetHasInode). Unreadable tables do not exclude it.
func (p *linuxProber) inOurNetNS(pid int, kind Kind, inodes []uint64) bool {
	if len(inodes) == 0 {
		return true
	}
	base := strconv.Itoa(pid) + "/net/" + string(kind)
	readable := false
	for _, f := range []string{base, base + "6"} {
		b, err := p.holders.Read(f)
		if err != nil {
			continue
		}
		readable = true
		if procNetHasInode(b, inodes) {
			return true
		}
	}
	return !readable
}

// fdsReadable reports whether this probe may list pid's fds.
func fdsReadable(root string, pid int) bool {
	fd, err := unix.Open(root+"/"+strconv.Itoa(pid)+"/fd", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
}
