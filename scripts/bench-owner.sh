#!/usr/bin/env bash
# bench-owner.sh: how fast does `traycheck check` name the owner of a port on
# a busy machine, compared with ss and lsof? See docs/bench-owner.md.
#
# It starts HOLDERS processes (default 300) holding about 10 sockets each
# (TCP listeners, ESTABLISHED pairs, UDP sockets, plus TIME_WAIT leftovers),
# then one more process, the newest and so the highest PID, that listens on
# the probed port. One hyperfine run then times, side by side:
#   traycheck check --json tcp/PORT
#   ss -Htanp 'sport = :PORT'
#   lsof -nP -iTCP:PORT
# Every process the script started is killed on exit (trap), by PID.
#
# Environment:
#   HOLDERS=300            processes to start
#   RUNS=200 WARMUP=20     hyperfine runs per command
#   TRAYCHECK_CMD="..."    command to time instead of build/traycheck, with
#                          PORT standing for the port (e.g. a stand-in binary)
#   OUT=build/bench-owner  where the markdown/json results go
set -euo pipefail
cd "$(dirname "$0")/.."

HOLDERS=${HOLDERS:-300}
RUNS=${RUNS:-200}
WARMUP=${WARMUP:-20}
OUT=${OUT:-build/bench-owner}

for tool in go hyperfine ss lsof; do
	command -v "$tool" >/dev/null || { echo "bench-owner: $tool is not installed (scripts/install-deps.sh)" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() {
	if ((${#pids[@]})); then
		kill "${pids[@]}" 2>/dev/null || true
		wait "${pids[@]}" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The holder is a tiny Go program built here so the benchmark needs nothing
# beyond Go and the tools it compares.
mkdir -p "$work/holder" "$work/ready"
cat >"$work/holder/go.mod" <<'EOF'
module benchholder

go 1.22
EOF
cat >"$work/holder/main.go" <<'EOF'
// Command benchholder holds sockets until killed, then reports readiness by
// creating a file named after its PID in the directory given as argv[1].
// With argv[2] == "target" it also listens on a fresh port and writes that
// port into the file.
package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
)

func must[T any](v T, err error) T {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchholder:", err)
		os.Exit(1)
	}
	return v
}

func main() {
	var keep []any
	content := ""
	if len(os.Args) > 2 && os.Args[2] == "target" {
		ln := must(net.Listen("tcp", "127.0.0.1:0"))
		keep = append(keep, ln)
		content = strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	} else {
		// 4 listeners; 2 ESTABLISHED pairs (both ends held here); 2 UDP;
		// and one connection closed client-first, leaving a TIME_WAIT.
		var lns []net.Listener
		for range 4 {
			lns = append(lns, must(net.Listen("tcp", "127.0.0.1:0")))
		}
		for i := range 2 {
			c := must(net.Dial("tcp", lns[i].Addr().String()))
			a := must(lns[i].Accept())
			keep = append(keep, c, a)
		}
		for range 2 {
			keep = append(keep, must(net.ListenPacket("udp", "127.0.0.1:0")))
		}
		c := must(net.Dial("tcp", lns[3].Addr().String()))
		a := must(lns[3].Accept())
		c.Close()
		a.Read(make([]byte, 1))
		a.Close()
		for _, l := range lns {
			keep = append(keep, l)
		}
	}
	dir := os.Args[1]
	tmp := filepath.Join(dir, "."+strconv.Itoa(os.Getpid()))
	must(0, os.WriteFile(tmp, []byte(content), 0o644))
	must(0, os.Rename(tmp, filepath.Join(dir, strconv.Itoa(os.Getpid()))))
	_ = keep
	select {}
}
EOF
(cd "$work/holder" && GOFLAGS=-mod=mod GOPROXY=off go build -o "$work/benchholder" .)

if [[ -z ${TRAYCHECK_CMD:-} ]]; then
	mkdir -p build
	go build -o build/traycheck ./cmd/traycheck
	TRAYCHECK_CMD="build/traycheck check --json tcp/PORT"
fi

wait_ready() { # count
	local n=0
	for _ in $(seq 600); do
		n=$(find "$work/ready" -maxdepth 1 -name '[0-9]*' | wc -l)
		((n >= $1)) && return 0
		sleep 0.1
	done
	echo "bench-owner: only $n of $1 holders became ready" >&2
	exit 1
}

echo "bench-owner: starting $HOLDERS holder processes" >&2
for _ in $(seq "$HOLDERS"); do
	GOMAXPROCS=1 "$work/benchholder" "$work/ready" </dev/null &
	pids+=("$!")
done
wait_ready "$HOLDERS"

# max_pid prints the highest PID alive, with bash builtins only (a forked
# helper would itself be a new, higher PID).
max_pid() {
	local d n max=0
	for d in /proc/[0-9]*; do
		n=${d#/proc/}
		((n > max)) && max=$n
	done
	echo "$max"
}
# The target must be the highest PID, the worst case for a walk from PID 1
# up. After the PID counter wrapped, long-lived processes can sit above new
# ones, so as root we point the counter just past the highest PID alive.
if [[ -w /proc/sys/kernel/ns_last_pid ]]; then
	max_pid >/proc/sys/kernel/ns_last_pid
fi
GOMAXPROCS=1 "$work/benchholder" "$work/ready" target </dev/null &
target=$!
pids+=("$target")
wait_ready $((HOLDERS + 1))
port=$(cat "$work/ready/$target")
above=0
for d in /proc/[0-9]*; do
	n=${d#/proc/}
	((n > target)) && ((above += 1))
done
echo "bench-owner: port $port held by PID $target; $above processes with higher PIDs (started since, e.g. by this script)" >&2
echo "bench-owner: sockets: $(ss -Htan | wc -l) tcp, $(ss -Huan | wc -l) udp, $(ss -Htan state time-wait | wc -l) in TIME_WAIT" >&2

tc=${TRAYCHECK_CMD//PORT/$port}
# Each tool must name the holder, or the timing means nothing.
# shellcheck disable=SC2086 # TRAYCHECK_CMD is an argv template, split on purpose
out=$($tc || true)
grep -q "\"pid\": *$target\b" <<<"$out" || { echo "bench-owner: traycheck did not name PID $target: $out" >&2; exit 1; }
ss -Htanp "sport = :$port" | grep -q "pid=$target," || { echo "bench-owner: ss did not name PID $target" >&2; exit 1; }
lsof -nP -iTCP:"$port" | grep -q " $target " || { echo "bench-owner: lsof did not name PID $target" >&2; exit 1; }

mkdir -p "$OUT"
# -N: no intermediate shell, so the timings are the tools' own; -i: check
# exits 1 when the port is held, which is the answer, not a failure.
hyperfine -N -i --warmup "$WARMUP" --runs "$RUNS" \
	--export-markdown "$OUT/results.md" --export-json "$OUT/results.json" \
	-n "traycheck check --json tcp/$port" "$tc" \
	-n "ss -Htanp 'sport = :$port'" "ss -Htanp 'sport = :$port'" \
	-n "lsof -nP -iTCP:$port" "lsof -nP -iTCP:$port"
# Medians resist the outliers of a shared machine better than means.
awk -F': ' '/"command"/ {c=$2; sub(/,$/, "", c)} /"median"/ {sub(/,$/, "", $2); printf "bench-owner: median %7.2f ms  %s\n", $2*1000, c}' "$OUT/results.json" >&2
echo "bench-owner: results in $OUT/results.md and results.json" >&2
