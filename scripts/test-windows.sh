#!/usr/bin/env bash
# The Windows lane: every package's Windows test binary, and the end-to-end
# tests of the real traycheck.exe, run under Wine (Debian 12's Wine 8.0) in a
# fresh, headless Wine prefix that is removed afterwards.
#
# It also builds traycheck-events.dll (scripts/build-eventdll.sh) and names
# it in TRAYCHECK_EVENTS_DLL for internal/fleet's TestEventMessageDLL.
#
# Wine 8.0 needs three gaps bridged before a Go 1.22+ binary runs (see
# docs/windows.md, "The Windows lane"):
#   - bcryptprimitives.dll/ProcessPrng: scripts/wine/processprng.c, built
#     here with mingw-w64 and put into the prefix's system32 (Go loads it
#     from there only);
#   - two standard-library spots (os.RemoveAll, UDP sockets):
#     scripts/wine/overlay writes a `go build -overlay` from the local
#     GOROOT, used for these test builds only.
# Tests that cannot run under Wine at all are listed, with the reason, in
# scripts/wine/skip.txt; nothing else is skipped.
#
# The closing line is "N passed, N failed, N skipped" (top-level tests; a
# test binary that dies without reporting a failing test counts as one
# failure); the exit status is non-zero on any failure.
#
# env: GO (default go), KEEP=1 keeps the work directory for a post-mortem.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}

for p in wine wineserver x86_64-w64-mingw32-gcc; do
	command -v "$p" >/dev/null || { echo "test-windows: $p missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/traycheck-wine.XXXXXX")
export WINEPREFIX=$work/prefix WINEARCH=win64 WINEDEBUG=-all
# No Mono or Gecko install prompts; no display: the lane runs only console
# programs and never needs a window.
export WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY
cleanup() {
	wineserver -k >/dev/null 2>&1 || true
	if [ "${KEEP:-}" = 1 ]; then echo "test-windows: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The prefix takes 10-20 s and needs nothing we build: start it first.
(
	timeout 3m wine wineboot -i >/dev/null 2>&1
	# Wine 8.0's new prefixes say Windows 7; traycheck targets 10 and later.
	timeout 3m wine winecfg -v win10 >/dev/null 2>&1
) &
prefix_pid=$!

mkdir -p "$work/bin" "$work/overlay" "$work/log"
x86_64-w64-mingw32-gcc -O2 -Wall -Werror -shared -nostdlib -e DllMainCRTStartup \
	-o "$work/bcryptprimitives.dll" scripts/wine/processprng.c -ladvapi32
# The Application log's message file, for internal/fleet's TestEventMessageDLL.
scripts/build-eventdll.sh "$work/bin/traycheck-events.dll" >/dev/null
overlay=$(GOOS= GOARCH= "$GO" run ./scripts/wine/overlay -goroot "$("$GO" env GOROOT)" -dir "$work/overlay")

export GOOS=windows GOARCH=amd64 CGO_ENABLED=0
"$GO" test -c -overlay "$overlay" -o "$work/bin/" ./... | { grep -v 'no test files' || true; }
# The end-to-end tests (cmd/traycheck/wine_e2e_windows_test.go) drive the
# real traycheck.exe and a Windows program that holds a port.
"$GO" build -overlay "$overlay" -o "$work/bin/traycheck.exe" ./cmd/traycheck
"$GO" build -overlay "$overlay" -o "$work/bin/portholder.exe" ./internal/testenv/portholder
unset GOOS GOARCH

wait "$prefix_pid" || { echo "test-windows: preparing the Wine prefix failed" >&2; exit 1; }
cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"

export TRAYCHECK_REQUIRE_ALL=1
export TRAYCHECK_E2E_EXE=$(winepath -w "$work/bin/traycheck.exe")
export TRAYCHECK_E2E_HOLDER=$(winepath -w "$work/bin/portholder.exe")
export TRAYCHECK_EVENTS_DLL=$(winepath -w "$work/bin/traycheck-events.dll")

# skip_pattern PKG prints a -test.skip regexp for the tests skip.txt lists
# for import path PKG (top-level tests only), or nothing.
skip_pattern() {
	awk -v pkg="$1" '!/^#/ && NF >= 3 && $1 == pkg { printf "%s%s", sep, $2; sep = "|" }' scripts/wine/skip.txt
}

# Every entry of skip.txt names an existing top-level test of a package
# with tests, and gives a reason.
bad=$(awk '!/^#/ && NF > 0 && (NF < 3 || $2 ~ /\//) { print FILENAME ":" NR ": " $0 }' scripts/wine/skip.txt)
[ -z "$bad" ] || { echo "test-windows: want 'PACKAGE TestName reason...' (top-level tests only):" >&2; echo "$bad" >&2; exit 1; }

passed=0 failed=0 skipped=0
failures=() ran=()
while read -r ip dir; do
	name=${ip##*/}
	bin=$work/bin/$name.test.exe
	[ -f "$bin" ] || continue
	pkg=${ip#github.com/traycheck/traycheck/}
	ran+=("$pkg")
	args=(-test.v -test.timeout 4m)
	skip=$(skip_pattern "$pkg")
	if [ -n "$skip" ]; then
		listed=$(cd "$dir" && wine "$bin" -test.list "^($skip)\$" 2>/dev/null | tr -d '\r')
		for t in ${skip//|/ }; do
			if grep -qx "$t" <<<"$listed"; then
				skipped=$((skipped + 1))
			else
				echo "test-windows: skip.txt names $pkg $t, which does not exist" >&2
				failed=$((failed + 1))
				failures+=("$pkg: stale skip.txt entry $t")
			fi
		done
		args+=(-test.skip "^($skip)\$")
	fi
	log=$work/log/$name.txt
	start=$SECONDS
	rc=0
	# -test.timeout ends a hung test with its goroutines' stacks; timeout(1)
	# guards against Wine itself hanging.
	(cd "$dir" && timeout --kill-after=10s 5m wine "$bin" "${args[@]}") >"$log" 2>&1 || rc=$?
	tr -d '\r' <"$log" >"$log.u" && mv "$log.u" "$log"
	p=$(grep -c '^--- PASS: ' "$log" || true)
	f=$(grep -c '^--- FAIL: ' "$log" || true)
	s=$(grep -c '^--- SKIP: ' "$log" || true)
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # died (panic, timeout, crash) without reporting a failing test
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
		failures+=("$pkg")
		printf 'FAIL  %-28s %3d passed, %d failed, %d skipped (%ds, exit %d)\n' "$pkg" "$p" "$f" "$s" $((SECONDS - start)) "$rc"
		# Each failing top-level test's own output (its last 60 lines), and
		# a panic or timeout with what led to it.
		awk '/^=== RUN   [^\/]*$/ { n = 0 } { buf[n++ % 60] = $0 }
			/^--- FAIL: |^panic: / { for (i = (n > 60 ? n - 60 : 0); i < n; i++) print "      " buf[i % 60]; n = 0 }' "$log"
	else
		printf 'ok    %-28s %3d passed, %d skipped (%ds)\n' "$pkg" "$p" "$s" $((SECONDS - start))
	fi
	[ -z "$skip" ] || awk -v pkg="$pkg" '!/^#/ && $1 == pkg { t = $2; $1 = $2 = ""; sub(/^ +/, ""); print "      skip " t " (scripts/wine/skip.txt): " $0 }' scripts/wine/skip.txt
	# A test's own skip states its reason on the line before; a testscript
	# subtest's is its script's skip command.
	awk '/^=== (RUN|CONT|NAME) / { cur = $3 }
		/^        > .*skip / { sub(/^ +> /, ""); script[cur] = $0 }
		/^    [^ ]/ { why = $0 }
		/^--- SKIP: / { sub(/^ +/, "", why); print "      skip " $3 ": " why }
		/^ +--- SKIP: / && ($3 in script) { print "      skip " $3 ": " script[$3] }' "$log"
done < <("$GO" list -f '{{.ImportPath}} {{.Dir}}' ./...)

# An entry for a package that has no Windows test binary skips nothing.
for pkg in $(awk '!/^#/ && NF >= 3 { print $1 }' scripts/wine/skip.txt | sort -u); do
	if ! printf '%s\n' "${ran[@]}" | grep -qx "$pkg"; then
		echo "test-windows: skip.txt names package $pkg, which has no Windows tests" >&2
		failed=$((failed + 1))
		failures+=("$pkg: stale skip.txt entry")
	fi
done

[ ${#failures[@]} -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
