#!/usr/bin/env bash
# bench-idle.sh [MINUTES] - idle cost of `traycheck watch` with the default
# config: CPU seconds (user+system, from /proc/PID/stat) and peak RSS (VmHWM,
# from /proc/PID/status) over MINUTES (default 10; decimals allowed).
# Targets (issue 3): < 0.1% of one core on average, < 25 MB peak RSS.
# Linux only. Set TRAYCHECK=path to measure a given binary instead of
# building one.
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=${1:-10}
secs=$(awk -v m="$minutes" 'BEGIN { s = int(m * 60); if (s < 10) s = 10; print s }')
work=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -INT "$pid"
		wait "$pid" || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

bin=${TRAYCHECK:-}
if [ -z "$bin" ]; then
	bin=$work/traycheck
	CGO_ENABLED=0 go build -trimpath -o "$bin" ./cmd/traycheck
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
