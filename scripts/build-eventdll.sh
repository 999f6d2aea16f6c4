#!/usr/bin/env bash
# Builds traycheck-events.dll, the message file of the Application log's
# "traycheck" source (the fleet MSI registers it as EventMessageFile): a
# resource-only DLL, no code and no entry point, holding the message table
# compiled from internal/fleet/traycheck.mc (generated from fleet.Table) and
# a version resource. Event Viewer loads it with LOAD_LIBRARY_AS_DATAFILE and
# looks each event id up with FormatMessage.
#
# usage: scripts/build-eventdll.sh OUT.dll
# env:   VERSION (default: scripts/version.sh)
#
# x64 only: Debian 12's mingw-w64 has no aarch64 target. A DLL loaded as a
# data file runs no code, so the x64 one should serve Windows on Arm too
# (not verified here: no Arm Windows to try it on).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/build-eventdll.sh OUT.dll}
case $out in /*) ;; *) out=$PWD/$out ;; esac

for tool in x86_64-w64-mingw32-windmc x86_64-w64-mingw32-windres x86_64-w64-mingw32-gcc x86_64-w64-mingw32-objdump; do
	command -v "$tool" >/dev/null || { echo "build-eventdll: $tool missing (Debian: gcc-mingw-w64-x86-64, binutils-mingw-w64-x86-64)" >&2; exit 1; }
done

version=${VERSION:-$(scripts/version.sh)}
version=${version#v}
numeric=$(printf '%s' "$version" | sed -nE 's/^([0-9]+)\.([0-9]+)\.([0-9]+).*/\1,\2,\3,0/p')
numeric=${numeric:-0,0,0,0}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp internal/fleet/traycheck.mc "$work/"
(cd "$work" && x86_64-w64-mingw32-windmc -h . -r . traycheck.mc)

# One .rc: the message table windmc wrote, then the version resource
# (1 = VS_VERSION_INFO, 0x40004 = VOS_NT_WINDOWS32, 2 = VFT_DLL).
{
	cat "$work/traycheck.rc"
	cat <<EOF

1 VERSIONINFO
FILEVERSION $numeric
PRODUCTVERSION $numeric
FILEOS 0x40004
FILETYPE 0x2
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904B0"
    BEGIN
      VALUE "CompanyName", "The traycheck authors"
      VALUE "FileDescription", "traycheck event log messages"
      VALUE "FileVersion", "$version"
      VALUE "InternalName", "traycheck-events"
      VALUE "OriginalFilename", "traycheck-events.dll"
      VALUE "ProductName", "traycheck"
      VALUE "ProductVersion", "$version"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
EOF
} >"$work/events.rc"
(cd "$work" && x86_64-w64-mingw32-windres -i events.rc -o events.o)

# -nostdlib: no C runtime, no imports; -e 0: no entry point (the loader
# calls nothing); no timestamp, so the same source gives the same bytes.
mkdir -p "$(dirname "$out")"
x86_64-w64-mingw32-gcc -shared -nostdlib -s -Wl,-e,0 -Wl,--no-insert-timestamp -o "$out" "$work/events.o"

# What the build promised: a DLL with no entry point, no imports, and a
# message table resource (type 11).
info=$(x86_64-w64-mingw32-objdump -p "$out")
grep -Eq '^AddressOfEntryPoint[[:space:]]+0+$' <<<"$info" || { echo "build-eventdll: $out has an entry point" >&2; exit 1; }
# (ld always writes an import directory; here it holds only its terminator.)
! grep -q 'DLL Name:' <<<"$info" || { echo "build-eventdll: $out imports a DLL" >&2; exit 1; }
grep -Eq '^ *[0-9a-f]+ +Entry: ID: 0x00000b,' <<<"$info" || { echo "build-eventdll: no message table in $out" >&2; exit 1; }
echo "built $out ($version)"
