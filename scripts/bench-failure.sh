#!/usr/bin/env bash
# bench-failure.sh [RUNS] - failure -> notification latency (issue 26): how
# long from a VPN client's failure until the notification naming the holder
# is sent to the real notification daemon (xfce4-notifyd on a private
# session bus, scripts/with-desktop.sh). Two paths, RUNS times each
# (default 20), against one real `traycheck tray`:
#   journald: a real openvpn (Debian's) fails with EADDRINUSE on a udp port
#     socat holds; its output streams into a real systemd-journald running in
#     a private mount namespace (traycheck runs in that namespace too, so its
#     journalctl follows that journal).
#   networkmanager: the project's fake NetworkManager (internal/trigger/nmtest,
#     the true edge) on a private dbus-daemon used as the system bus emits
#     VpnStateChanged FAILED for a connection whose local port socat holds.
# Start time: just before openvpn starts / the signal is emitted; for
# journald also the journal's own timestamp of openvpn's bind-failure line
# (openvpn takes a few hundred ms to get that far). End time: dbus-monitor's
# timestamp of traycheck's Notify call whose title names the holder. Prints each path's min, median, p95 and max in milliseconds.
# Linux, root (journald and the mount namespace). Target: p95 < 1 s.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TRAYCHECK_DESKTOP:-}" ]; then
	exec scripts/with-desktop.sh "$0" "$@"
fi
runs=${1:-20}
[ "$(id -u)" = 0 ] || { echo "bench-failure: needs root (journald in a mount namespace)"; exit 2; }
for p in openvpn socat systemd-cat journalctl nsenter unshare dbus-daemon dbus-monitor; do
	command -v "$p" >/dev/null || { echo "bench-failure: $p missing (scripts/install-deps.sh)"; exit 2; }
done
work=$(mktemp -d)
pids=()
cleanup() {
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill "${pids[i]}" 2>/dev/null || true
		wait "${pids[i]}" 2>/dev/null || true
	done
	if [ "${KEEP:-0}" = 1 ]; then echo "bench-failure: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

CGO_ENABLED=0 go build -trimpath -o "$work/traycheck" ./cmd/traycheck
go build -o "$work/fakenm" ./internal/trigger/nmtest/fakenm

freeport() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 0)); print(s.getsockname()[1])'; }
p1=$(freeport)
p2=$(freeport)

# The journal, in its own mount namespace.
unshare -m --propagation private /bin/sh -c 'set -e
for d in /run/systemd /var/log/journal /run/log; do mkdir -p "$d"; mount -t tmpfs tmpfs "$d"; done
mkdir -p /run/systemd/journal
exec /lib/systemd/systemd-journald' >"$work/journald.log" 2>&1 &
jd=$!
pids+=("$jd")
for _ in $(seq 100); do [ -S "/proc/$jd/root/run/systemd/journal/stdout" ] && break; sleep 0.05; done
ns() { nsenter -t "$jd" -m "$@"; }
# A first entry, so the journal file exists before traycheck follows it.
ns systemd-cat -t bench echo "bench-failure starting"

# The system bus and the fake NetworkManager.
cat >"$work/system.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>custom</type>
  <listen>unix:path=$work/system_bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
CONF
dbus-daemon --config-file="$work/system.conf" --nofork --nopidfile &
pids+=("$!")
for _ in $(seq 100); do [ -S "$work/system_bus" ] && break; sleep 0.05; done
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$work/system_bus"
mkfifo "$work/nm.in"
"$work/fakenm" -port "$p2" -id work <"$work/nm.in" >"$work/nm.out" 2>&1 &
pids+=("$!")
exec 7>"$work/nm.in"
for _ in $(seq 100); do grep -q ready "$work/nm.out" 2>/dev/null && break; sleep 0.05; done

# The holders.
socat -u "UDP4-RECV:$p1" /dev/null &
pids+=("$!")
socat -u "UDP4-RECV:$p2" /dev/null &
pids+=("$!")

# Every Notify call on the session bus, with the bus's timestamps.
dbus-monitor --session "type='method_call',interface='org.freedesktop.Notifications',member='Notify'" >"$work/monitor.log" 2>&1 &
pids+=("$!")

cat >"$work/config.toml" <<CONF
[vpn]
name = "bench"
ports = []
clients = ["openvpn"]
[check]
interval = "10m"
CONF
ns "$work/traycheck" tray --config "$work/config.toml" >"$work/tray.log" 2>&1 &
pids+=("$!")
sleep 3 # the tray registers and runs its first check

# notified PATTERN N: the time (s.ns) of the Nth Notify whose text matches.
notified() {
	awk -v pat="$1" -v n="$2" '
		/member=Notify/ { for (i = 1; i <= NF; i++) if ($i ~ /^time=/) { t = substr($i, 6) } ; armed = 1; next }
		armed && index($0, pat) { c++; armed = 0; if (c == n) { print t; exit } }' "$work/monitor.log"
}
# bindtime: the journal's timestamp (s.us) of openvpn's latest bind-failure
# line: when the failure happened, after openvpn's own start-up.
bindtime() {
	ns journalctl -o json --no-pager -n 50 SYSLOG_IDENTIFIER=openvpn | grep 'Socket bind failed' | tail -n 1 |
		python3 -c 'import json, sys; print("%.6f" % (int(json.loads(sys.stdin.read())["__REALTIME_TIMESTAMP"]) / 1e6))'
}
measure() { # NAME PATTERN FIRE-COMMAND [FAILURE-TIME-COMMAND]
	local name=$1 pat=$2 i t0 t1 tf
	: >"$work/$name.ms"
	: >"$work/$name-line.ms"
	for i in $(seq "$runs"); do
		t0=$(date +%s.%N)
		eval "$3"
		t1=
		for _ in $(seq 100); do
			t1=$(notified "$pat" "$i")
			[ -n "$t1" ] && break
			sleep 0.05
		done
		[ -n "$t1" ] || { echo "bench-failure: $name run $i: no notification naming the holder within 5s"; tail -20 "$work/tray.log"; exit 1; }
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }' >>"$work/$name.ms"
		if [ -n "${4:-}" ]; then
			tf=$(eval "$4")
			awk -v a="$tf" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }' >>"$work/$name-line.ms"
		fi
		sleep 1
	done
	stats "$name (from start)" "$work/$name.ms"
	[ -s "$work/$name-line.ms" ] && stats "$name (from the failure line)" "$work/$name-line.ms"
	return 0
}
stats() {
	sort -n "$2" | awk -v name="$1" '{ v[NR] = $1 } END {
		p95 = v[int(NR * 0.95 + 0.999)]; if (p95 == "") p95 = v[NR]
		printf "%-36s runs %d  min %.1f ms  median %.1f ms  p95 %.1f ms  max %.1f ms\n", name, NR, v[1], v[int((NR + 1) / 2)], p95, v[NR] }'
}
measure journald "udp/$p1 is held by socat" \
	"ns systemd-cat -t openvpn openvpn --dev null --proto udp --lport $p1 --verb 3 || true" bindtime
measure networkmanager "udp/$p2 is held by socat" "echo fire >&7"
grep -m1 "udp/$p1 is held by socat" "$work/monitor.log" | sed 's/^ *string /example title: /'
# A retrying client is one notification updated in place: every Notify
# after the first for a port replaces the id the daemon gave the first.
for p in "$p1" "$p2"; do
	awk -v pat="udp/$p is held" '/member=Notify/ { n = 0; inb = 1; next }
		inb { n++; if (n == 2) r = $2; if (n == 4) { inb = 0; if (index($0, pat)) { c++; if (r == 0) fresh++; else ids[r] = 1 } } }
		END { k = 0; for (i in ids) k++; printf "udp/%s: %d notifications sent, %d new, the rest replacing %d id(s)\n", substr(pat, 5, length(pat) - 12), c, fresh, k }' "$work/monitor.log"
done
