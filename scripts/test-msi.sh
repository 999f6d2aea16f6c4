#!/usr/bin/env bash
# The MSI half of scripts/test-dist.sh: asserts both MSIs' tables with
# msiinfo, then installs the x64 one in a fresh Wine prefix (msiexec /qn),
# runs the installed traycheck.exe, upgrades it with a newer build of the
# same installer, and uninstalls: nothing may be left.
#
# usage: scripts/test-msi.sh TMPDIR VERSION MSIVERSION
# (the caller stops the wineserver of TMPDIR/wineprefix and removes TMPDIR)
#
# Wine runs with a HOME, XDG directories and prefix under TMPDIR and with
# winemenubuilder off: msiexec creating the Start-menu shortcut would
# otherwise write .desktop, .menu and icon files into the real user's
# ~/.local/share and ~/.config/menus.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tmp=$1 version=$2 msiversion=$3
dist=$root/build/dist
upgradecode='{369C0FF6-166C-4270-A148-443F7BD814D8}'

fail() { echo "test-dist: FAIL: $*" >&2; exit 1; }
step() { echo "test-dist: $*"; }

# table MSI NAME: the rows of a table, tab-separated, without the 3 header lines.
table() { msiinfo export "$1" "$2" | tail -n +4 | tr -d '\r'; }
has_row() { # MSI TABLE ROW-REGEX WHAT
	table "$1" "$2" | grep -E "$3" >/dev/null || fail "$(basename "$1"): no $4 in $2:
$(table "$1" "$2")"
}

step "msiinfo: tables of both MSIs"
tab=$'\t'
codes=""
for arch in x64 arm64; do
	m=$dist/traycheck-$version-$arch.msi
	[ -f "$m" ] || fail "$m missing"
	for f in traycheck.exe traycheck-cli.exe LICENSE.txt traycheck.png; do
		has_row "$m" File "^[^$tab]*$tab[^$tab]*$tab$f$tab" "file $f"
	done
	# Registry rows, Root 1 = HKCU (per-user).
	has_row "$m" Registry "${tab}1${tab}Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run${tab}traycheck${tab}\"\\[INSTALLDIR\\]traycheck.exe\"${tab}StartAtLogin\$" "Run value"
	has_row "$m" Registry "${tab}1${tab}Software\\\\Classes\\\\traycheck${tab}URL Protocol${tab}${tab}" "URL Protocol marker"
	has_row "$m" Registry "${tab}1${tab}Software\\\\Classes\\\\traycheck\\\\shell\\\\open\\\\command${tab}${tab}\"\\[INSTALLDIR\\]traycheck.exe\" --action-uri \"%1\"${tab}" "protocol command"
	has_row "$m" Registry "${tab}1${tab}Software\\\\Classes\\\\AppUserModelId\\\\traycheck${tab}DisplayName${tab}traycheck${tab}" "AppUserModelID"
	if table "$m" Registry | cut -f2 | grep -v '^1$' >/dev/null; then fail "$(basename "$m"): a registry row outside HKCU"; fi
	has_row "$m" Upgrade "^$upgradecode${tab}${tab}$msiversion${tab}${tab}513${tab}${tab}WIX_UPGRADE_DETECTED\$" "upgrade row (same version included)"
	has_row "$m" Upgrade "^$upgradecode${tab}$msiversion${tab}${tab}${tab}2${tab}${tab}WIX_DOWNGRADE_DETECTED\$" "downgrade detection"
	has_row "$m" Property "^UpgradeCode${tab}$upgradecode\$" "stable UpgradeCode"
	has_row "$m" Property "^ProductVersion${tab}$msiversion\$" "ProductVersion"
	if table "$m" Property | grep '^ALLUSERS' >/dev/null; then fail "$(basename "$m"): ALLUSERS is set; the package is per-user"; fi
	has_row "$m" Property "^STARTATLOGIN${tab}1\$" "start-at-login default"
	has_row "$m" Component "^StartAtLogin${tab}.*${tab}STARTATLOGIN = \"1\"${tab}" "start-at-login condition"
	has_row "$m" Shortcut "^StartMenuShortcut${tab}ProgramMenuFolder${tab}traycheck${tab}" "Start-menu shortcut"
	has_row "$m" CustomAction "^DisableAutostart${tab}82${tab}TraycheckExe${tab}autostart disable" "uninstall's autostart disable"
	has_row "$m" InstallExecuteSequence "^DisableAutostart${tab}REMOVE=\"ALL\" AND NOT UPGRADINGPRODUCTCODE${tab}" "uninstall-only condition"
	want=$([ $arch = x64 ] && echo "x64;1033" || echo "Arm64;1033")
	msiinfo suminfo "$m" | grep -x "Template: $want" >/dev/null || fail "$(basename "$m"): summary template is not $want"
	codes+=$(msiinfo suminfo "$m" | sed -n 's/^Revision number (UUID): //p')$'\n'
done
[ "$(printf '%s' "$codes" | sort -u | wc -l)" = 2 ] || fail "the two MSIs share a package code: $codes"

step "Wine: fresh prefix"
export HOME=$tmp/winehome XDG_CONFIG_HOME=$tmp/winehome/.config XDG_DATA_HOME=$tmp/winehome/.local/share
export WINEPREFIX=$tmp/wineprefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
mkdir -p "$HOME"
wineboot -i >/dev/null 2>&1
winecfg -v win10 >/dev/null 2>&1
# Go >= 1.22 binaries need ProcessPrng, which Wine 8.0 lacks: the Windows
# lane's test-only bcryptprimitives.dll, only in this prefix.
x86_64-w64-mingw32-gcc -O2 -Wall -Werror -shared -nostdlib -e DllMainCRTStartup \
	-o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" scripts/wine/processprng.c -ladvapi32

# (the uninstall's custom action prints the autostart status: not needed here)
winmsi() { wine msiexec "$@" /qn >/dev/null; wineserver -w; }
# reg_has KEY NAME: the value's data ("" when absent); NAME "" is the default value.
reg_has() {
	local sel=(/v "$2")
	[ -n "$2" ] || sel=(/ve)
	wine reg query "$1" "${sel[@]}" 2>/dev/null | tr -d '\r' | grep -E '^ +.* REG_[A-Z_]+ ' | sed -E 's/^ +.*  REG_[A-Z_]+ {4}//' || true
}
key_exists() { wine reg query "$1" >/dev/null 2>&1; }
run_key='HKCU\Software\Microsoft\Windows\CurrentVersion\Run'
# products: how many traycheck products Windows Installer has registered
# (per-user ones under HKCU, per-machine ones under HKLM).
products() {
	{
		wine reg query 'HKCU\Software\Microsoft\Installer\Products' /s 2>/dev/null
		wine reg query 'HKLM\Software\Classes\Installer\Products' /s 2>/dev/null
	} | tr -d '\r' | grep -c 'ProductName.*REG_SZ.*traycheck$' || true
}

x64=$(winepath -w "$dist/traycheck-$version-x64.msi")
users=$WINEPREFIX/drive_c/users

step "msiexec /i STARTATLOGIN=0"
winmsi /i "$x64" STARTATLOGIN=0
dir=$(find "$users" -path '*/AppData/Local/Programs/traycheck' -type d)
[ -n "$dir" ] || fail "nothing installed under AppData/Local/Programs/traycheck"
for f in traycheck.exe traycheck-cli.exe LICENSE.txt; do [ -f "$dir/$f" ] || fail "$f not installed"; done
[ -f "$(dirname "$(dirname "$dir")")/traycheck/traycheck.png" ] || fail "toast icon not in %LocalAppData%\\traycheck"
find "$users" -name traycheck.lnk | grep 'Start Menu/Programs/traycheck.lnk' >/dev/null || fail "no Start-menu shortcut"
windir=$(winepath -w "$dir")
[ "$(reg_has 'HKCU\Software\Classes\traycheck\shell\open\command' '')" = "\"$windir\\traycheck.exe\" --action-uri \"%1\"" ] ||
	fail "protocol command: $(reg_has 'HKCU\Software\Classes\traycheck\shell\open\command' '')"
reg_has 'HKCU\Software\Classes\traycheck' 'URL Protocol' >/dev/null || fail "no URL Protocol marker"
[ "$(reg_has 'HKCU\Software\Classes\AppUserModelId\traycheck' DisplayName)" = traycheck ] || fail "no AppUserModelID"
[ -z "$(reg_has "$run_key" traycheck)" ] || fail "STARTATLOGIN=0 still wrote the Run value"
got=$(wine "$dir/traycheck.exe" version | tr -d '\r')
case $got in "traycheck $version (go"*", windows/amd64)") ;; *) fail "installed traycheck.exe version printed '$got'" ;; esac
got=$(wine "$dir/traycheck-cli.exe" version | tr -d '\r')
case $got in "traycheck $version (go"*", windows/amd64)") ;; *) fail "installed traycheck-cli.exe version printed '$got'" ;; esac

step "start at login switched on from the app; an upgrade"
wine "$dir/traycheck.exe" autostart enable >/dev/null
[ "$(reg_has "$run_key" traycheck)" = "\"$windir\\traycheck.exe\"" ] || fail "autostart enable wrote: $(reg_has "$run_key" traycheck)"
# A newer build of the same installer (same UpgradeCode): MajorUpgrade.
newer=${msiversion%.*}.$((${msiversion##*.} + 1))
stage=$root/build/stage/msi-amd64
[ -f "$stage/traycheck.exe" ] || fail "$stage missing: run make dist first"
(cd "$stage" && wixl -a x64 -D Version="$newer" -D MsiVersion="$newer" -D BinDir=. -D Icon=app.ico -D Png=traycheck.png \
	-D License=LICENSE -o "$tmp/newer.msi" "$root/packaging/windows/traycheck.wxs" 2>/dev/null)
msibuild "$tmp/newer.msi" -q "UPDATE Component SET Condition = 'STARTATLOGIN = \"1\"' WHERE Component = 'StartAtLogin'"
winmsi /i "$(winepath -w "$tmp/newer.msi")" STARTATLOGIN=0
[ "$(products)" = 1 ] || fail "after the upgrade $(products) traycheck products are registered, want 1"
[ -f "$dir/traycheck.exe" ] || fail "the upgrade removed traycheck.exe"
# On Windows the upgrade keeps the Run value the user switched on: the old
# product's removal runs with UPGRADINGPRODUCTCODE set, and the uninstall's
# "autostart disable" is conditioned on its absence (asserted in the tables
# above). Wine 8.0 cannot show it: its RemoveExistingProducts runs
# `msiexec /qn /i {code} REMOVE=ALL` and never sets UPGRADINGPRODUCTCODE.
# So switch it on again, and let the uninstall below prove that a Run value
# the app wrote (not the installer) goes with the product.
wine "$dir/traycheck.exe" autostart enable >/dev/null
[ "$(reg_has "$run_key" traycheck)" = "\"$windir\\traycheck.exe\"" ] || fail "autostart enable after the upgrade: $(reg_has "$run_key" traycheck)"

step "msiexec /x: nothing left"
check_clean() {
	[ "$(products)" = 0 ] || fail "$1: a traycheck product is still registered"
	[ -z "$(reg_has "$run_key" traycheck)" ] || fail "$1: the Run value is left"
	for k in 'HKCU\Software\Classes\traycheck' 'HKCU\Software\Classes\AppUserModelId\traycheck' 'HKCU\Software\traycheck'; do
		! key_exists "$k" || fail "$1: $k is left"
	done
	left=$(find "$users" -iname '*traycheck*')
	[ -z "$left" ] || fail "$1: files left: $left"
}
winmsi /x "$(winepath -w "$tmp/newer.msi")"
check_clean "uninstall after the upgrade"

step "msiexec /i (start at login by default), /x"
winmsi /i "$x64"
[ "$(reg_has "$run_key" traycheck)" = "\"$windir\\traycheck.exe\"" ] || fail "Run value: $(reg_has "$run_key" traycheck)"
got=$(wine "$dir/traycheck.exe" autostart status | tr -d '\r')
case $got in enabled:*"(written by traycheck)"*) ;; *) fail "the app does not see the installer's Run value as its own: $got" ;; esac
winmsi /x "$x64"
check_clean "uninstall"
wineserver -k 2>/dev/null || true
