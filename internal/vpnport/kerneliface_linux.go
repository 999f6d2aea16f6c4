package vpnport

import (
	"context"
	"log/slog"

	"github.com/traycheck/traycheck/internal/vpnport/tunnels"
)

// linuxKernelUDPHolder names the kernel interface holding UDP port, asked
// only when a live socket on it has no owner process. The link dump needs no
// privilege; WireGuard's listen port does (CAP_NET_ADMIN), so unprivileged
// the WireGuard interfaces present are named as the likely holder.
func linuxKernelUDPHolder(ctx context.Context, port uint16) string {
	s, _ := linuxKernelUDPHolderExact(ctx, port)
	return s
}

// linuxKernelUDPHolderExact also says whether the kernel reported an
// interface on exactly this port.
func linuxKernelUDPHolderExact(ctx context.Context, port uint16) (string, bool) {
	ts, err := tunnels.List(ctx)
	if err != nil {
		slog.Debug("listing kernel tunnel interfaces", "err", err)
	}
	return tunnels.Holder(ts, port)
}
