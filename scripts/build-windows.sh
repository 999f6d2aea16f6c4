#!/usr/bin/env bash
# Build the Windows binaries from any OS:
#   build/windows-$GOARCH/traycheck.exe      GUI subsystem (-H=windowsgui): the tray
#   build/windows-$GOARCH/traycheck-cli.exe  console subsystem: check/watch/explain in a terminal
# both with the icon, version resource and asInvoker manifest from
# internal/winres. The resource object (.syso) is made at build time by
# go-winres, fetched through the Go module proxy at a pinned version, and
# linked from a scratch copy of the source tree (the linker reads .syso files
# from the package directory itself; -overlay does not reach it): nothing is
# written into cmd/traycheck and no binary is committed.
#
# usage: scripts/build-windows.sh [amd64|arm64 ...]   (default: amd64 arm64)
# env:   VERSION (default: git describe, else 0.0.0-dev)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

GO=${GO:-go}
WINRES=github.com/tc-hib/go-winres@v0.3.3
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(amd64 arm64)

version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo 0.0.0-dev)}
# Windows version resources want four numbers: take the leading
# MAJOR.MINOR.PATCH of the version, else 0.0.0, and pad.
numeric=$(printf '%s' "$version" | sed -nE 's/^v?([0-9]+)\.([0-9]+)\.([0-9]+).*/\1.\2.\3.0/p')
numeric=${numeric:-0.0.0.0}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp internal/winres/winres.json internal/winres/traycheck.manifest "$work/"

# The application icon: icons/traycheck.ico if the icon set has one, else
# the "ok" state icon; with only PNGs, go-winres builds the ICO sizes itself.
if [ -f icons/traycheck.ico ]; then
	cp icons/traycheck.ico "$work/app.ico"
elif [ -f icons/ok.ico ]; then
	cp icons/ok.ico "$work/app.ico"
elif [ -f icons/ok.png ]; then
	cp icons/ok.png "$work/app.png"
	sed -i 's/"app\.ico"/"app.png"/' "$work/winres.json"
else
	echo "build-windows: no icon in icons/ (want traycheck.ico, ok.ico or ok.png)" >&2
	exit 1
fi

# pe_subsystem FILE prints the PE optional header's Subsystem field
# (2 = GUI, 3 = console), so the build checks what it produced.
pe_subsystem() {
	local pe
	pe=$(od -An -t u4 -j 60 -N 4 "$1" | tr -d ' ')
	od -An -t u2 -j $((pe + 24 + 68)) -N 2 "$1" | tr -d ' '
}

for arch in "${archs[@]}"; do
	out=build/windows-$arch
	mkdir -p "$out"
	(cd "$work" && GOOS= GOARCH= "$GO" run "$WINRES" make --in winres.json --arch "$arch" \
		--out rsrc --file-version "$numeric" --product-version "$numeric")
	src=$work/src-$arch
	mkdir -p "$src"
	tar -C "$root" --exclude=./.git --exclude=./build -cf - . | tar -C "$src" -xf -
	mv "$work/rsrc_windows_$arch.syso" "$src/cmd/traycheck/"
	(cd "$src" && GOOS=windows GOARCH=$arch CGO_ENABLED=0 "$GO" build -trimpath \
		-ldflags "-H=windowsgui -s -w -X main.version=$version" -o "$root/$out/traycheck.exe" ./cmd/traycheck)
	(cd "$src" && GOOS=windows GOARCH=$arch CGO_ENABLED=0 "$GO" build -trimpath \
		-ldflags "-s -w -X main.version=$version" -o "$root/$out/traycheck-cli.exe" ./cmd/traycheck)
	gui=$(pe_subsystem "$out/traycheck.exe")
	cli=$(pe_subsystem "$out/traycheck-cli.exe")
	if [ "$gui" != 2 ] || [ "$cli" != 3 ]; then
		echo "build-windows: subsystems gui=$gui cli=$cli, want 2 and 3" >&2
		exit 1
	fi
	# The manifest must be inside: its execution level is the contract.
	if ! grep -q asInvoker "$out/traycheck.exe"; then
		echo "build-windows: no asInvoker manifest in $out/traycheck.exe" >&2
		exit 1
	fi
	echo "built $out/traycheck.exe (GUI) and $out/traycheck-cli.exe (console), version $version ($numeric)"
done
