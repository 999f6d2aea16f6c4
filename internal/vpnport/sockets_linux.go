package vpnport

import (
	"context"

	"github.com/traycheck/traycheck/internal/vpnport/sockdiag"
)

// linuxDiag is the prober's sock_diag connection, kept open across probes,
// with the entries of its last dump.
type linuxDiag struct {
	sockdiag.Dumper
	ents []sockdiag.Entry
}

func (d *linuxDiag) close() error { return d.Close() }

// dump appends to dst every socket of proto (TCP or UDP), both address
// families, whose local port is port.
func (d *linuxDiag) dump(ctx context.Context, dst []Socket, proto Kind, port uint16) ([]Socket, error) {
	return d.dumpStates(ctx, dst, proto, sockdiag.AllStates, port)
}

// dumpStates is dump for the sockets whose state is in the bitmask states.
func (d *linuxDiag) dumpStates(ctx context.Context, dst []Socket, proto Kind, states uint32, port uint16) ([]Socket, error) {
	var err error
	d.ents, err = d.Dump(ctx, d.ents[:0], diagProto(proto), states, port)
	if err != nil {
		return dst, err
	}
	return appendSockets(dst, d.ents, proto), nil
}
