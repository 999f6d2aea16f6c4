#!/usr/bin/env bash
# Builds the per-machine fleet MSI (packaging/windows/traycheck-fleet.wxs):
# traycheck-events.dll registered as the Application log's "traycheck"
# source, and the ADMX/ADML policy templates. scripts/dist.sh calls it with
# the (signed) DLL; scripts/test-fleet-msi.sh calls it again to build a
# newer version for the upgrade test.
#
# usage: scripts/build-fleet-msi.sh EVENTS.dll OUT.msi VERSION MSIVERSION
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
[ $# -eq 4 ] || { echo "usage: scripts/build-fleet-msi.sh EVENTS.dll OUT.msi VERSION MSIVERSION" >&2; exit 2; }
dll=$1 out=$2 version=$3 msiversion=$4
case $out in /*) ;; *) out=$root/$out ;; esac
upgradecode='{2DCB3E5B-D20E-4D24-AB0E-D98178970214}'

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$dll" "$work/traycheck-events.dll"
cp packaging/windows/admx/traycheck.admx packaging/windows/admx/en-US/traycheck.adml "$work/"
cp LICENSE "$work/LICENSE"
cp icons/ok.ico "$work/app.ico"
rm -f "$out"
# wixl takes sources relative to the working directory.
(cd "$work" && wixl -a x64 -D Version="$version" -D MsiVersion="$msiversion" -D EventsDll=traycheck-events.dll \
	-D Admx=traycheck.admx -D Adml=traycheck.adml -D License=LICENSE -D Icon=app.ico \
	-o "$out" "$root/packaging/windows/traycheck-fleet.wxs")

# What wixl cannot say in the .wxs, set in the tables directly:
# - MajorUpgrade also replaces the same version (inclusive maximum, 513);
# - EventMessageFile is REG_EXPAND_SZ ("#%"), as the event log documents it
#   (wixl writes Type="expandable" as a plain string);
# - the source's key is created on install and removed whole on uninstall
#   (Name '*'), values added later by anyone included.
q() { msibuild "$out" -q "$1" >/dev/null || { echo "build-fleet-msi: msibuild failed: $1" >&2; exit 1; }; }
q "DELETE FROM Upgrade WHERE ActionProperty = 'WIX_UPGRADE_DETECTED'"
q "INSERT INTO Upgrade (UpgradeCode, VersionMax, Attributes, ActionProperty) VALUES ('$upgradecode', '$msiversion', 513, 'WIX_UPGRADE_DETECTED')"
q "UPDATE Registry SET Value = '#%[#EventsDll]' WHERE Name = 'EventMessageFile'"
q "INSERT INTO \`Registry\` (\`Registry\`, \`Root\`, \`Key\`, \`Name\`, \`Component_\`) VALUES ('EventSourceKey', 2, 'SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\traycheck', '*', 'EventSource')"
echo "built $out"
