#!/usr/bin/env bash
# bench-owner.sh: how fast does `traycheck check` name the owner of a port on
# a busy machine, compared with ss and lsof? See docs/bench-owner.md.
#
# For each scale in SCALES it starts that many processes holding about 10
# sockets each (TCP listeners, ESTABLISHED pairs, UDP sockets, plus TIME_WAIT
# leftovers) and two targets that listen on a port each:
#   worst: started before all of them (as root: at a low PID, like a daemon
#          started at boot), so a walk from the newest PID meets it last;
#   best:  started after all of them, the highest PID.
# Then RUNS rounds each time every command once (hyperfine -N --runs 1), so
# the tools share the machine's ups and downs instead of one tool getting a
# quiet minute; the medians over the rounds and the ratios are printed:
#   traycheck check --json tcp/PORT   (and, unless WALK=0, the same with
#                                      TRAYCHECK_PROC_WALK=1)
#   ss -Htanp 'sport = :PORT'
#   lsof -nP -iTCP:PORT
# Every process the script started is killed on exit (trap), by PID.
#
# Environment:
#   SCALES="1000 5000"     process counts to measure, one after the other
#   RUNS=20 WARMUP=3       rounds (one run of each command per round)
#   LSOF=1                 0 leaves lsof out (it takes seconds at 5,000)
#   WALK=1                 0 leaves out "traycheck-walk": the same command with
#                          TRAYCHECK_PROC_WALK=1, reading /proc/*/fd as an
#                          unprivileged run must, instead of the kernel's BPF
#                          task-file iterator a root run uses
#   TRAYCHECK_CMD="..."    command to time instead of build/traycheck, with
#                          PORT standing for the port (e.g. a stand-in binary)
#   OUT=build/bench-owner  where the per-scale results (csv, md) go
#   AS_USER=0              1: the as-user mode, the tray's own case. The
#                          targets, the crowd and every timed tool run as one
#                          unprivileged user (BENCH_UID, default 64123, a uid
#                          no one else uses, through setpriv), so each tool
#                          reads that user's processes through /proc as the
#                          tray does; the worst-case holder is the oldest.
#                          Needs root to switch to the user. WALK is off (an
#                          unprivileged traycheck always walks /proc).
#   BENCH_UID=64123        the user (and group) id of the as-user mode
set -euo pipefail
cd "$(dirname "$0")/.."

# At 5,000 processes the crowd listens on 20,000 ports, more than the default
# ephemeral range (28,000) leaves once the machine's own sockets and the last
# run's TIME_WAITs are counted. As root the script runs in a private network
# namespace with its own loopback and the whole port range; /proc still shows
# every process of the machine, and the kernel's socket tables are shared, so
# each tool's walk and dump cost what they cost outside.
if [[ $(id -u) == 0 && -z ${BENCH_OWNER_NETNS:-} ]] && command -v unshare >/dev/null; then
	exec env BENCH_OWNER_NETNS=1 unshare --net -- "$0" "$@"
fi
if [[ -n ${BENCH_OWNER_NETNS:-} ]]; then
	ip link set lo up
	echo "1024 65535" >/proc/sys/net/ipv4/ip_local_port_range
fi

SCALES=${SCALES:-${HOLDERS:-1000 5000}}
RUNS=${RUNS:-20}
WARMUP=${WARMUP:-3}
LSOF=${LSOF:-1}
WALK=${WALK:-1}
OUT=${OUT:-build/bench-owner}
AS_USER=${AS_USER:-0}
BENCH_UID=${BENCH_UID:-64123}
# as_user runs its arguments as the benchmark's user in the as-user mode, and
# as they are otherwise. setpriv execs, so $! is the program's own PID.
as_user=()
suffix=""
if ((AS_USER)); then
	[[ $(id -u) == 0 ]] || { echo "bench-owner: AS_USER=1 needs root (to start the processes as uid $BENCH_UID)" >&2; exit 2; }
	command -v setpriv >/dev/null || { echo "bench-owner: setpriv (util-linux) is not installed" >&2; exit 2; }
	as_user=(setpriv --reuid="$BENCH_UID" --regid="$BENCH_UID" --clear-groups --inh-caps=-all --)
	WALK=0
	suffix=-user
fi

for tool in go hyperfine ss lsof; do
	command -v "$tool" >/dev/null || { echo "bench-owner: $tool is not installed (scripts/install-deps.sh)" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
stop_all() {
	if ((${#pids[@]})); then
		kill "${pids[@]}" 2>/dev/null || true
		wait "${pids[@]}" 2>/dev/null || true
	fi
	pids=()
}
cleanup() {
	stop_all
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
if ((AS_USER)); then
	# The user writes the readiness files, its home (traycheck's config
	# lookup) and hyperfine's per-round csv; it reads the binaries.
	chmod 755 "$work"
	mkdir -p "$work/home" "$work/rounds"
	chown "$BENCH_UID:$BENCH_UID" "$work/ready" "$work/home" "$work/rounds"
fi

if [[ -z ${TRAYCHECK_CMD:-} ]]; then
	mkdir -p build
	# As the packages build it (scripts/dist.sh): static, no cgo.
	CGO_ENABLED=0 go build -trimpath -o build/traycheck ./cmd/traycheck
	TRAYCHECK_CMD="build/traycheck check --json tcp/PORT"
	if ((AS_USER)); then
		# Where the user surely may run it, whatever the checkout's modes.
		cp build/traycheck "$work/traycheck"
		TRAYCHECK_CMD="$work/traycheck check --json tcp/PORT"
	fi
fi

wait_ready() { # count
	local n=0
	for _ in $(seq 1200); do
		n=$(find "$work/ready" -maxdepth 1 -name '[0-9]*' | wc -l)
		((n >= $1)) && return 0
		sleep 0.1
	done
	echo "bench-owner: only $n of $1 holders became ready" >&2
	exit 1
}

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
count_pids() { # below|above PID
	local d n c=0
	for d in /proc/[0-9]*; do
		n=${d#/proc/}
		if [[ $1 == below ]]; then ((n < $2)) && ((c += 1)); else ((n > $2)) && ((c += 1)); fi
	done
	echo "$c"
}

# start_target [low]: a process listening on a fresh port; sets target.
# As root, "low" points the PID counter near the bottom so the target gets a
# PID below the machine's own user processes (the daemon started at boot),
# and otherwise just past the highest PID alive (after a wrap, long-lived
# processes can sit above new ones).
start_target() {
	if [[ -w /proc/sys/kernel/ns_last_pid ]]; then
		if [[ ${1:-} == low ]]; then echo 300 >/proc/sys/kernel/ns_last_pid; else max_pid >/proc/sys/kernel/ns_last_pid; fi
	fi
	GOMAXPROCS=1 "${as_user[@]}" "$work/benchholder" "$work/ready" target </dev/null &
	target=$!
	pids+=("$target")
}

# check_names PID PORT: each tool must name the holder, or the timing means
# nothing.
check_names() {
	local out tc=${TRAYCHECK_CMD//PORT/$2}
	# shellcheck disable=SC2086 # TRAYCHECK_CMD is an argv template, split on purpose
	out=$(HOME=$work/home "${as_user[@]}" $tc || true)
	grep -q "\"pid\": *$1\b" <<<"$out" || { echo "bench-owner: traycheck did not name PID $1: $out" >&2; exit 1; }
	"${as_user[@]}" ss -Htanp "sport = :$2" | grep -q "pid=$1," || { echo "bench-owner: ss did not name PID $1" >&2; exit 1; }
	if ((LSOF)); then
		"${as_user[@]}" lsof -nP -iTCP:"$2" | grep -q " $1 " || { echo "bench-owner: lsof did not name PID $1" >&2; exit 1; }
	fi
}

mkdir -p "$OUT"
for scale in $SCALES; do
	rm -f "$work/ready"/*
	start_target low
	worst=$target
	wait_ready 1
	echo "bench-owner: $scale: starting $scale holder processes" >&2
	for _ in $(seq "$scale"); do
		GOMAXPROCS=1 "${as_user[@]}" "$work/benchholder" "$work/ready" </dev/null &
		pids+=("$!")
	done
	wait_ready $((scale + 1))
	start_target
	best=$target
	wait_ready $((scale + 2))
	wport=$(cat "$work/ready/$worst")
	bport=$(cat "$work/ready/$best")
	echo "bench-owner: $scale: worst case: port $wport held by PID $worst ($(count_pids below "$worst") processes below it, kernel threads included)" >&2
	echo "bench-owner: $scale: best case: port $bport held by PID $best ($(count_pids above "$best") processes above it)" >&2
	echo "bench-owner: $scale: $(count_pids above 0) processes; sockets: $(ss -Htan | wc -l) tcp, $(ss -Huan | wc -l) udp, $(ss -Htan state time-wait | wc -l) in TIME_WAIT" >&2
	check_names "$worst" "$wport"
	check_names "$best" "$bport"

	cmds=()
	for c in "worst $wport" "best $bport"; do
		read -r mode port <<<"$c"
		cmds+=(-n "traycheck $mode" "${TRAYCHECK_CMD//PORT/$port}")
		((WALK)) && cmds+=(-n "traycheck-walk $mode" "env TRAYCHECK_PROC_WALK=1 ${TRAYCHECK_CMD//PORT/$port}")
		cmds+=(-n "ss $mode" "ss -Htanp 'sport = :$port'")
		((LSOF)) && cmds+=(-n "lsof $mode" "lsof -nP -iTCP:$port")
	done
	csv=$OUT/times-$scale$suffix.csv
	echo "command,seconds" >"$csv"
	# Interleaved: every round runs each command once, in the same order,
	# so a burst of load on this shared machine hits all of them. -N: no
	# shell in between; -i: check exits 1 when the port is held.
	# As-user: hyperfine itself runs as the user, so the commands it
	# times start as the user with no setpriv in between.
	HOME=$work/home "${as_user[@]}" hyperfine -N -i --runs 1 --warmup "$WARMUP" --style none "${cmds[@]}" >/dev/null 2>&1 || true
	for round in $(seq "$RUNS"); do
		HOME=$work/home "${as_user[@]}" hyperfine -N -i --runs 1 --style none --export-csv "$work/rounds/round.csv" "${cmds[@]}" >/dev/null 2>&1
		awk -F, 'NR > 1 { print $1 "," $4 }' "$work/rounds/round.csv" >>"$csv"
		((round % 5 == 0)) && echo "bench-owner: $scale: round $round of $RUNS" >&2
	done
	# Medians resist the outliers of a shared machine better than means.
	awk -F, -v scale="$scale" -v runs="$RUNS" -v who="${suffix:+, as uid $BENCH_UID}" '
	NR > 1 { n[$1]++; t[$1, n[$1]] = $2; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
	function median(c,   i, j, m, a, tmp) {
		m = n[c]
		for (i = 1; i <= m; i++) a[i] = t[c, i]
		for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { tmp = a[j]; a[j] = a[j-1]; a[j-1] = tmp }
		return m % 2 ? a[(m+1)/2] : (a[m/2] + a[m/2+1]) / 2
	}
	END {
		printf "| %d processes%s, %d rounds | median | vs ss | vs lsof |\n|---|---|---|---|\n", scale, who, runs
		for (i = 1; i <= k; i++) med[order[i]] = median(order[i])
		for (i = 1; i <= k; i++) {
			c = order[i]; split(c, p, " ")
			s = med["ss " p[2]]; l = med["lsof " p[2]]
			printf "| %s | %.1f ms | %s | %s |\n", c, med[c] * 1000, (s ? sprintf("%.2fx", med[c] / s) : "-"), (l ? sprintf("%.2fx", med[c] / l) : "-")
		}
	}' "$csv" | tee "$OUT/results-$scale$suffix.md"
	stop_all
done
echo "bench-owner: per-run times in $OUT/times-SCALE$suffix.csv, tables in $OUT/results-SCALE$suffix.md" >&2
