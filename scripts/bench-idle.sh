#!/usr/bin/env bash
# bench-idle.sh [MINUTES] - idle cost of `traycheck watch` with the default
# config: CPU seconds (user+system, from /proc/PID/stat) and peak RSS (VmHWM,
# from /proc/PID/status) over MINUTES (default 10; decimals allowed).
# Targets (issue 3): < 0.1% of one core on average, < 25 MB peak RSS.
# Linux only. Set TRAYCHECK=path to measure a given binary instead of
# building one.
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

# An empty config dir: the embedded default config is what gets measured.
XDG_CONFIG_HOME=$work/config HOME=$work "$bin" watch >"$work/out" 2>"$work/err" &
pid=$!

# Skip start-up (build caches, first check) so the number is the idle cost.
warm=5
sleep "$warm"
kill -0 "$pid" || { echo "traycheck watch exited:"; cat "$work/err"; exit 1; }
if [ "${CONFLICT:-0}" = 1 ] && ! grep -q 'udp/1701' "$work/out"; then
	echo "bench-idle: watch did not report the conflict on udp/1701:"; cat "$work/out" "$work/err"; exit 1
fi
t0=$(ticks "$pid")
start=$(date +%s.%N)
sleep "$secs"
t1=$(ticks "$pid")
end=$(date +%s.%N)
hwm=$(kb "$pid" VmHWM)
rss=$(kb "$pid" VmRSS)
total=$(ticks "$pid")

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
