package vpnport

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strconv"
)

// linuxCandidates lists the processes of the given users whose comm is one
// of names, reading only what other users may read: comm, status, stat and
// cmdline. It runs only for a port with a hidden owner, so one extra pass
// over /proc's directory is affordable.
func (p *linuxProber) linuxCandidates(ctx context.Context, names []string, uids []uint32) []Holder {
	if len(names) == 0 || len(uids) == 0 {
		return nil
	}
	ents, err := os.ReadDir(procRoot)
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
		comm, err := readBounded(procRoot+"/"+e.Name()+"/comm", 64)
		if err != nil || !commMatches(string(bytes.TrimSpace(comm)), names) {
			continue
		}
		h, ok := p.holders.holder(pid)
		if ok && slices.Contains(uids, h.UID) {
			out = append(out, h)
		}
	}
	return out
}

// addCandidates gives each observation with hidden owners the candidates of
// those owners' users, from one pass over /proc for the whole probe.
func (p *linuxProber) addCandidates(ctx context.Context, obs []Observation, uids []uint32) {
	cands := p.linuxCandidates(ctx, clientNames(ctx), uids)
	if len(cands) == 0 {
		return
	}
	for i := range obs {
		for _, h := range obs[i].Holders {
			if !h.Hidden {
				continue
			}
			for _, c := range cands {
				if c.UID == h.UID {
					obs[i].Candidates = append(obs[i].Candidates, c)
				}
			}
		}
	}
}
