#!/usr/bin/env bash
# The fleet MSI's part of scripts/test-dist.sh: asserts its tables with
# msiinfo, then installs it in a fresh Wine prefix (msiexec /qn, as the
# system-context deployment would): the Application log's "traycheck" key
# names the installed traycheck-events.dll, and Windows' own FormatMessage
# (Wine's) finds every event id's text in the DLL the registry names
# (internal/fleet's TestEventMessageDLL); then a newer build upgrades it and
# the uninstall leaves neither the files nor the key.
#
# usage: scripts/test-fleet-msi.sh TMPDIR VERSION MSIVERSION
# (the caller stops the wineserver of TMPDIR/fleetprefix and removes TMPDIR)
#
# Wine runs with a HOME, XDG directories and prefix under TMPDIR and with
# winemenubuilder off, as in scripts/test-msi.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tmp=$1 version=$2 msiversion=$3
dist=$root/build/dist
GO=${GO:-go}
upgradecode='{2DCB3E5B-D20E-4D24-AB0E-D98178970214}'
peruser_upgradecode='{369C0FF6-166C-4270-A148-443F7BD814D8}'
eventkey='SYSTEM\CurrentControlSet\Services\EventLog\Application\traycheck'

fail() { echo "test-dist: FAIL: $*" >&2; exit 1; }
step() { echo "test-dist: $*"; }

table() { msiinfo export "$1" "$2" | tail -n +4 | tr -d '\r'; }
has_row() { # MSI TABLE ROW-REGEX WHAT
	table "$1" "$2" | grep -E "$3" >/dev/null || fail "$(basename "$1"): no $4 in $2:
$(table "$1" "$2")"
}

m=$dist/traycheck-fleet-$version-x64.msi
[ -f "$m" ] || fail "$m missing: run make dist first"
step "msiinfo: tables of the fleet MSI"
t=$'\t'
ek=${eventkey//\\/\\\\}
has_row "$m" File "^EventsDll${t}EventSource${t}traycheck-events.dll${t}" "message DLL"
has_row "$m" File "^[^$t]*${t}Admx${t}traycheck.admx${t}" "ADMX"
has_row "$m" File "^[^$t]*${t}Adml${t}traycheck.adml${t}" "ADML"
has_row "$m" Directory "^INSTALLDIR${t}ProgramFiles64Folder${t}traycheck\$" "Program Files\\traycheck"
has_row "$m" Directory "^PolicyDefinitions${t}WindowsFolder${t}PolicyDefinitions\$" "PolicyDefinitions"
has_row "$m" Directory "^PolicyDefinitionsEnUS${t}PolicyDefinitions${t}en-US\$" "PolicyDefinitions\\en-US"
has_row "$m" Component "^Admx${t}[^$t]*${t}PolicyDefinitions${t}" "ADMX component"
has_row "$m" Component "^Adml${t}[^$t]*${t}PolicyDefinitionsEnUS${t}" "ADML component"
# Registry rows, Root 2 = HKLM: the source, its message file (#% =
# REG_EXPAND_SZ, the installed DLL's path), its types (#7 = REG_DWORD 7), and
# the key removed whole on uninstall (*).
has_row "$m" Registry "${t}2${t}${ek}${t}EventMessageFile${t}#%\\[#EventsDll\\]${t}EventSource\$" "EventMessageFile"
has_row "$m" Registry "${t}2${t}${ek}${t}TypesSupported${t}#7${t}EventSource\$" "TypesSupported"
has_row "$m" Registry "${t}2${t}${ek}${t}\\*${t}${t}EventSource\$" "key removal on uninstall"
if table "$m" Registry | cut -f2 | grep -v '^2$' >/dev/null; then fail "fleet MSI: a registry row outside HKLM"; fi
has_row "$m" Property "^ALLUSERS${t}1\$" "per-machine ALLUSERS"
has_row "$m" Property "^UpgradeCode${t}$upgradecode\$" "stable UpgradeCode"
has_row "$m" Property "^ProductVersion${t}$msiversion\$" "ProductVersion"
has_row "$m" Upgrade "^$upgradecode${t}${t}$msiversion${t}${t}513${t}${t}WIX_UPGRADE_DETECTED\$" "upgrade row (same version included)"
has_row "$m" Upgrade "^$upgradecode${t}$msiversion${t}${t}${t}2${t}${t}WIX_DOWNGRADE_DETECTED\$" "downgrade detection"
[ "$upgradecode" != "$peruser_upgradecode" ] || fail "the fleet MSI shares the per-user MSI's UpgradeCode"
if table "$m" Upgrade | grep -F "$peruser_upgradecode" >/dev/null; then fail "the fleet MSI would remove the per-user product"; fi
msiinfo suminfo "$m" | grep -x "Template: x64;1033" >/dev/null || fail "fleet MSI: summary template is not x64;1033"
# The DLL inside is the message DLL (a resource-only PE) and, when the
# build was signed, signed.
msiextract -C "$tmp/fleet-extract" "$m" >/dev/null
dll=$(find "$tmp/fleet-extract" -name traycheck-events.dll)
[ -n "$dll" ] || fail "msiextract found no traycheck-events.dll in the fleet MSI"
# (objdump's output read whole: grep -q would stop reading, and pipefail
# would count objdump's SIGPIPE.)
pe=$(x86_64-w64-mingw32-objdump -p "$dll")
grep -Eq '^AddressOfEntryPoint[[:space:]]+0+$' <<<"$pe" || fail "the packaged traycheck-events.dll has an entry point"
if [ -n "${SIGN_CERT:-}" ]; then
	osslsigncode verify -CAfile "${SIGN_CA:-$SIGN_CERT}" -in "$dll" >/dev/null || fail "traycheck-events.dll in the fleet MSI is not signed"
	osslsigncode verify -CAfile "${SIGN_CA:-$SIGN_CERT}" -in "$m" >/dev/null || fail "the fleet MSI is not signed"
fi

step "Wine (fleet MSI): fresh prefix"
# The Windows test binary that calls FormatMessage, built meanwhile (with
# the real HOME: Go's module and build caches live there).
(GOOS=windows GOARCH=amd64 CGO_ENABLED=0 "$GO" test -c -o "$tmp/fleet.test.exe" ./internal/fleet) &
gotest=$!
export HOME=$tmp/fleethome XDG_CONFIG_HOME=$tmp/fleethome/.config XDG_DATA_HOME=$tmp/fleethome/.local/share
export WINEPREFIX=$tmp/fleetprefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
unset DISPLAY WAYLAND_DISPLAY
mkdir -p "$HOME"
wineboot -i >/dev/null 2>&1
winecfg -v win10 >/dev/null 2>&1
# Go >= 1.22 binaries need ProcessPrng, which Wine 8.0 lacks (scripts/test-msi.sh).
x86_64-w64-mingw32-gcc -O2 -Wall -Werror -shared -nostdlib -e DllMainCRTStartup \
	-o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" scripts/wine/processprng.c -ladvapi32
wait "$gotest" || fail "building internal/fleet's Windows tests failed"

winmsi() { wine msiexec "$@" /qn >/dev/null; wineserver -w; }
# reg_value KEY NAME: "TYPE DATA" of a value, "" when absent.
reg_value() {
	wine reg query "$1" /v "$2" 2>/dev/null | tr -d '\r' | sed -nE "s/^ +$2 +(REG_[A-Z_]+) +(.*)\$/\\1 \\2/p" || true
}
key_exists() { wine reg query "$1" >/dev/null 2>&1; }
products() {
	wine reg query 'HKLM\Software\Classes\Installer\Products' /s 2>/dev/null | tr -d '\r' |
		grep -c 'ProductName.*REG_SZ.*traycheck fleet support$' || true
}
c=$WINEPREFIX/drive_c
installed() { # WHAT: the files and the key are in place
	for f in "Program Files/traycheck/traycheck-events.dll" "Program Files/traycheck/LICENSE.txt" \
		windows/PolicyDefinitions/traycheck.admx windows/PolicyDefinitions/en-US/traycheck.adml; do
		[ -f "$c/$f" ] || fail "$1: C:\\$f is not installed"
	done
	cmp -s "$c/windows/PolicyDefinitions/traycheck.admx" packaging/windows/admx/traycheck.admx || fail "$1: the installed ADMX differs"
	cmp -s "$c/windows/PolicyDefinitions/en-US/traycheck.adml" packaging/windows/admx/en-US/traycheck.adml || fail "$1: the installed ADML differs"
	local got
	got=$(reg_value "HKLM\\$eventkey" EventMessageFile)
	[ "$got" = 'REG_EXPAND_SZ C:\Program Files\traycheck\traycheck-events.dll' ] || fail "$1: EventMessageFile is '$got'"
	got=$(reg_value "HKLM\\$eventkey" TypesSupported)
	[ "$got" = "REG_DWORD 0x7" ] || fail "$1: TypesSupported is '$got'"
	[ "$(products)" = 1 ] || fail "$1: $(products) fleet products are registered, want 1"
}

step "msiexec /i (fleet MSI)"
winmsi /i "$(winepath -w "$m")"
installed "install"
# Event Viewer's lookup with the real API: the DLL the registry names,
# loaded as a data file, formats every event id of fleet.Table.
msgfile=$(reg_value "HKLM\\$eventkey" EventMessageFile)
msgfile=${msgfile#REG_EXPAND_SZ }
out=$(cd "$root/internal/fleet" && TRAYCHECK_REQUIRE_ALL=1 TRAYCHECK_EVENTS_DLL=$msgfile \
	wine "$tmp/fleet.test.exe" -test.run '^TestEventMessageDLL$' -test.v 2>&1 | tr -d '\r') ||
	fail "TestEventMessageDLL against the installed $msgfile:
$out"
grep -q '^--- PASS: TestEventMessageDLL' <<<"$out" || fail "TestEventMessageDLL did not pass:
$out"

step "a newer fleet MSI upgrades it"
newer=${msiversion%.*}.$((${msiversion##*.} + 1))
scripts/build-fleet-msi.sh "$dll" "$tmp/fleet-newer.msi" "$newer" "$newer" >/dev/null
winmsi /i "$(winepath -w "$tmp/fleet-newer.msi")"
installed "upgrade"

step "msiexec /x (fleet MSI): nothing left"
# A value someone added to the source's key later goes with it too.
wine reg add "HKLM\\$eventkey" /v CategoryCount /t REG_DWORD /d 1 /f >/dev/null 2>&1
winmsi /x "$(winepath -w "$tmp/fleet-newer.msi")"
[ "$(products)" = 0 ] || fail "uninstall: the fleet product is still registered"
! key_exists "HKLM\\$eventkey" || fail "uninstall: HKLM\\$eventkey is left"
left=$(find "$c" -iname '*traycheck*')
[ -z "$left" ] || fail "uninstall: files left: $left"
wineserver -k 2>/dev/null || true
