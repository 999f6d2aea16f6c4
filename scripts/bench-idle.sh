#!/usr/bin/env bash
# bench-idle.sh [MINUTES] - idle cost of `traycheck watch` with the default
# config: CPU seconds (user+system, from /proc/PID/stat) and peak RSS (VmHWM,
# from /proc/PID/status) over MINUTES (default 10; decimals allowed).
# Targets (issue 3): < 0.1% of one core on average, < 25 MB peak RSS.
# Linux only. Set TRAYCHECK=path to measure a given binary instead of
# building one.
#
# TRIGGERS=1 measures with every failure-event source of issue 26 on and
# fed: watch runs inside a private mount namespace with a real
# systemd-journald (its journalctl follower is counted too: CPU and RSS of
# watch plus the follower), and the project's fake NetworkManager owns its
# name on a private dbus-daemon used as the system bus. Root only.
#
# CONFLICT=1 measures a standing conflict instead of a quiet machine: before
# anything else it starts an old process holding udp/1701 (one of the
# default config's ports) with socat, then CROWD (default 1000) more
# processes, so the watch re-checks a conflict held by the oldest of about
# CROWD processes on every interval.
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=${1:-10}
secs=$(awk -v m="$minutes" 'BEGIN { s = int(m * 60); if (s < 10) s = 10; print s }')
work=$(mktemp -d)
pid=
others=()
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -INT "$pid"
		wait "$pid" || true
	fi
	if [ ${#others[@]} -gt 0 ]; then
		kill "${others[@]}" 2>/dev/null || true
		wait "${others[@]}" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

bin=${TRAYCHECK:-}
if [ -z "$bin" ]; then
	bin=$work/traycheck
	CGO_ENABLED=0 go build -trimpath -o "$bin" ./cmd/traycheck
fi

if [ "${CONFLICT:-0}" = 1 ]; then
	command -v socat >/dev/null || { echo "bench-idle: socat is not installed (scripts/install-deps.sh)"; exit 2; }
	socat -u UDP4-RECV:1701,bind=127.0.0.1 /dev/null &
	holder=$!
	others+=("$holder")
	for _ in $(seq 50); do
		ss -Huanp 'sport = :1701' | grep -q "pid=$holder," && break
		sleep 0.1
	done
	ss -Huanp 'sport = :1701' | grep -q "pid=$holder," || { echo "bench-idle: socat could not hold udp/1701 (in use?)"; exit 1; }
	crowd=${CROWD:-1000}
	for _ in $(seq "$crowd"); do
		sleep 100000 </dev/null >/dev/null 2>&1 &
		others+=("$!")
	done
	echo "conflict:   udp/1701 held by socat (PID $holder), then $crowd more processes started; $(ls -d /proc/[0-9]* | wc -l) in all"
fi

hz=$(getconf CLK_TCK)
# utime+stime in clock ticks: fields 14 and 15 of /proc/PID/stat, counted
# after the ")" that ends the command name (which may contain spaces).
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
kb() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }

run=()
if [ "${TRIGGERS:-0}" = 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "bench-idle: TRIGGERS=1 needs root (journald in a mount namespace)"; exit 2; }
	unshare -m --propagation private /bin/sh -c 'set -e
for d in /run/systemd /var/log/journal /run/log; do mkdir -p "$d"; mount -t tmpfs tmpfs "$d"; done
mkdir -p /run/systemd/journal
exec /lib/systemd/systemd-journald' >"$work/journald.log" 2>&1 &
	jd=$!
	others+=("$jd")
	for _ in $(seq 100); do [ -S "/proc/$jd/root/run/systemd/journal/stdout" ] && break; sleep 0.05; done
	printf '<busconfig><type>custom</type><listen>unix:path=%s/system_bus</listen><auth>EXTERNAL</auth><policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>\n' "$work" >"$work/system.conf"
	dbus-daemon --config-file="$work/system.conf" --nofork --nopidfile &
	others+=("$!")
	for _ in $(seq 100); do [ -S "$work/system_bus" ] && break; sleep 0.05; done
	export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$work/system_bus"
	go build -o "$work/fakenm" ./internal/trigger/nmtest/fakenm
	mkfifo "$work/nm.in"
	"$work/fakenm" <"$work/nm.in" >"$work/nm.out" 2>&1 &
	others+=("$!")
	exec 8>"$work/nm.in"
	for _ in $(seq 100); do grep -q ready "$work/nm.out" 2>/dev/null && break; sleep 0.05; done
	run=(nsenter -t "$jd" -m)
fi

# An empty config dir: the embedded default config is what gets measured.
XDG_CONFIG_HOME=$work/config HOME=$work "${run[@]}" "$bin" watch >"$work/out" 2>"$work/err" &
pid=$!

# Skip start-up (build caches, first check) so the number is the idle cost.
warm=5
sleep "$warm"
kill -0 "$pid" || { echo "traycheck watch exited:"; cat "$work/err"; exit 1; }
if [ "${CONFLICT:-0}" = 1 ] && ! grep -q 'udp/1701' "$work/out"; then
	echo "bench-idle: watch did not report the conflict on udp/1701:"; cat "$work/out" "$work/err"; exit 1
fi
# nsenter execs traycheck in place, so $pid is traycheck; its children
# (journalctl) are counted with it.
procs() { echo "$pid" $(pgrep -P "$pid" || true); }
if [ "${TRIGGERS:-0}" = 1 ]; then
	pgrep -P "$pid" -x journalctl >/dev/null || { echo "bench-idle: no journalctl follower under watch"; cat "$work/err"; exit 1; }
	# The fake NM, watch and dbus-send itself: three clients on the system bus.
	n=$(dbus-send --bus="$DBUS_SYSTEM_BUS_ADDRESS" --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.ListNames | grep -c '":1\.')
	[ "$n" -ge 3 ] || { echo "bench-idle: watch is not on the system bus (networkmanager source off)"; cat "$work/err"; exit 1; }
	echo "triggers:   journald (follower PID $(pgrep -P "$pid" | head -n 1)) and networkmanager (fake NM on a private system bus) on"
fi
sum() { local f=$1 t=0 p; for p in $(procs); do t=$((t + $($f "$p"))); done; echo "$t"; }
hwmof() { kb "$1" VmHWM; }
rssof() { kb "$1" VmRSS; }
t0=$(sum ticks)
start=$(date +%s.%N)
sleep "$secs"
t1=$(sum ticks)
end=$(date +%s.%N)
hwm=$(sum hwmof)
rss=$(sum rssof)
total=$(sum ticks)

awk -v t0="$t0" -v t1="$t1" -v total="$total" -v hz="$hz" -v s="$start" -v e="$end" \
	-v hwm="$hwm" -v rss="$rss" -v warm="$warm" '
BEGIN {
	wall = e - s
	cpu = (t1 - t0) / hz
	pct = 100 * cpu / wall
	printf "measured:   %.0f s of idle watch (after %d s warm-up)\n", wall, warm
	printf "cpu:        %.2f s user+system = %.4f%% of one core (target < 0.1%%)\n", cpu, pct
	printf "cpu total:  %.2f s including start-up and the first check\n", total / hz
	printf "peak rss:   %.1f MB (VmHWM; target < 25 MB), now %.1f MB\n", hwm / 1024, rss / 1024
	ok = pct < 0.1 && hwm < 25 * 1024
	print (ok ? "result:     within targets" : "result:     OVER TARGET")
	exit ok ? 0 : 1
}'
