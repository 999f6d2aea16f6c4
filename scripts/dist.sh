#!/usr/bin/env bash
# Builds every release artifact into build/dist/ (see docs/release.md):
#   traycheck_<ver>_amd64.deb, traycheck_<ver>_arm64.deb
#   traycheck-<ver>-1.x86_64.rpm, traycheck-<ver>-1.aarch64.rpm
#   traycheck-<ver>-x64.msi, traycheck-<ver>-arm64.msi      (per-user installers)
#   traycheck-fleet-<ver>-x64.msi   (per-machine, for IT: event log source, ADMX)
#   traycheck_<ver>_windows_amd64.zip, traycheck_<ver>_windows_arm64.zip
#   traycheck_<ver>_darwin_amd64.tar.gz, traycheck_<ver>_darwin_arm64.tar.gz  (console build)
#   SHA256SUMS
# The version comes from scripts/version.sh (git tag or describe; VERSION
# overrides) and is stamped into every binary (`traycheck version`).
#
# Signing: with SIGN_CERT and SIGN_KEY (PEM files; SIGN_KEY_PASS if the key
# is encrypted) every .exe is Authenticode-signed before it is packaged, and
# every .msi after it is built, with osslsigncode, then verified against
# SIGN_CA (default SIGN_CERT). SIGN_TIMESTAMP_URL adds an RFC 3161
# timestamp. Without SIGN_CERT nothing is signed and the script says so.
#
# Tools: go (nfpm and go-winres are run pinned through `go run`), wixl and
# msibuild (msitools), mingw-w64 (windmc, windres, gcc: the event message
# DLL), osslsigncode, zip, gzip, sha256sum.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

GO=${GO:-go}
NFPM=github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}

version=$(scripts/version.sh)
# The MSI ProductVersion takes MAJOR.MINOR.PATCH numbers only.
msiversion=${version%%[~+]*}
dist=build/dist
stage=build/stage
rm -rf "$dist" "$stage"
mkdir -p "$dist" "$stage"
echo "dist: version $version (MSI $msiversion)"

gobuild() { # GOOS GOARCH OUT [extra ldflags]
	GOOS=$1 GOARCH=$2 CGO_ENABLED=0 "$GO" build -trimpath \
		-ldflags "-s -w -X main.version=$version ${4:-}" -o "$3" ./cmd/traycheck
}

signing=""
if [ -n "${SIGN_CERT:-}" ]; then
	: "${SIGN_KEY:?SIGN_CERT is set but SIGN_KEY is not}"
	signing=1
else
	echo "dist: SIGN_CERT not set: Windows binaries and MSIs are NOT signed" >&2
fi

# sign FILE: Authenticode-sign in place and verify the signature.
sign() {
	[ -n "$signing" ] || return 0
	local args=(sign -certs "$SIGN_CERT" -key "$SIGN_KEY" -h sha256 -n traycheck
		-i https://github.com/traycheck/traycheck -in "$1" -out "$1.signed")
	[ -z "${SIGN_KEY_PASS:-}" ] || args+=(-pass "$SIGN_KEY_PASS")
	[ -z "${SIGN_TIMESTAMP_URL:-}" ] || args+=(-ts "$SIGN_TIMESTAMP_URL")
	osslsigncode "${args[@]}" >/dev/null
	mv "$1.signed" "$1"
	osslsigncode verify -CAfile "${SIGN_CA:-$SIGN_CERT}" -in "$1" >/dev/null ||
		{ echo "dist: signature of $1 does not verify" >&2; exit 1; }
}

# The man page comes from this machine's build's help (the text is the same
# on every OS and architecture).
hostbin=$stage/host/traycheck
mkdir -p "$stage/host"
GOOS= GOARCH= CGO_ENABLED=0 "$GO" build -ldflags "-X main.version=$version" -o "$hostbin" ./cmd/traycheck
"$GO" run ./packaging/mangen -bin "$hostbin" -version "$version" | gzip -9n >"$stage/traycheck.1.gz"
# The shell completion scripts, as the built binary prints them.
for sh in bash zsh fish; do
	"$hostbin" completion "$sh" >"$stage/completion.$sh"
done
# Debian wants a changelog in its own format; the release notes live with
# the release.
maintainer=${MAINTAINER:-The traycheck authors <traycheck@users.noreply.github.com>}
{
	printf 'traycheck (%s-1) unstable; urgency=medium\n\n' "$version"
	printf '  * Release %s.\n  * Release notes: https://github.com/traycheck/traycheck/releases\n\n' "$version"
	printf ' -- %s  %s\n' "$maintainer" "$(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$stage/changelog.Debian.gz"

# Linux: .deb and .rpm per architecture.
for arch in amd64 arm64; do
	s=$stage/linux-$arch
	mkdir -p "$s"
	gobuild linux "$arch" "$s/traycheck"
	cp "$stage/traycheck.1.gz" "$stage/changelog.Debian.gz" "$stage"/completion.* "$s/"
	rpmarch=$([ "$arch" = amd64 ] && echo x86_64 || echo aarch64)
	for p in deb rpm; do
		if [ "$p" = deb ]; then target=$dist/traycheck_${version}_$arch.deb; else target=$dist/traycheck-$version-1.$rpmarch.rpm; fi
		ARCH=$arch VERSION=$version STAGE=$s MAINTAINER="$maintainer" \
			GOOS= GOARCH= "$GO" run "$NFPM" package --config packaging/nfpm.yaml --packager "$p" --target "$target" >/dev/null
		echo "built $target"
	done
done

# Windows: the GUI and console exes (icon, version resource, manifest),
# signed; the zip (with the policy templates); the MSI.
VERSION=$version scripts/build-windows.sh amd64 arm64 >/dev/null
for arch in amd64 arm64; do
	w=build/windows-$arch
	sign "$w/traycheck.exe"
	sign "$w/traycheck-cli.exe"
	z=$stage/zip-$arch/traycheck
	mkdir -p "$z"
	cp "$w/traycheck.exe" "$w/traycheck-cli.exe" "$z/"
	cp LICENSE "$z/LICENSE.txt"
	cp README.md "$z/README.md"
	mkdir -p "$z/admx/en-US"
	cp packaging/windows/admx/traycheck.admx "$z/admx/"
	cp packaging/windows/admx/en-US/traycheck.adml "$z/admx/en-US/"
	find "$z" -exec touch -d "@$SOURCE_DATE_EPOCH" {} +
	(cd "$stage/zip-$arch" && zip -qX -r "$root/$dist/traycheck_${version}_windows_$arch.zip" traycheck)
	echo "built $dist/traycheck_${version}_windows_$arch.zip"

	msiarch=$([ "$arch" = amd64 ] && echo x64 || echo arm64)
	m=$stage/msi-$arch
	mkdir -p "$m"
	cp "$w/traycheck.exe" "$w/traycheck-cli.exe" "$m/"
	cp LICENSE "$m/LICENSE"
	cp icons/ok.png "$m/traycheck.png"
	cp icons/ok.ico "$m/app.ico"
	msi=$root/$dist/traycheck-$version-$msiarch.msi
	# wixl takes sources relative to the working directory, and knows no
	# arm64: the arm64 MSI is built as x64 (64-bit components) and its
	# summary's platform set to Arm64 below.
	(cd "$m" && wixl -a x64 -D Version="$version" -D MsiVersion="$msiversion" -D BinDir=. -D Icon=app.ico \
		-D Png=traycheck.png -D License=LICENSE -o "$msi" "$root/packaging/windows/traycheck.wxs")
	# What wixl cannot say in the .wxs, set in the tables directly:
	# - MajorUpgrade also replaces the same version (a rebuilt dev build),
	#   i.e. WIX_UPGRADE_DETECTED's maximum is inclusive (attribute 0x200);
	# - the Run value is installed only when STARTATLOGIN=1.
	msibuild "$msi" -q "DELETE FROM Upgrade WHERE ActionProperty = 'WIX_UPGRADE_DETECTED'"
	msibuild "$msi" -q "INSERT INTO Upgrade (UpgradeCode, VersionMax, Attributes, ActionProperty) VALUES ('{369C0FF6-166C-4270-A148-443F7BD814D8}', '$msiversion', 513, 'WIX_UPGRADE_DETECTED')"
	msibuild "$msi" -q "UPDATE Component SET Condition = 'STARTATLOGIN = \"1\"' WHERE Component = 'StartAtLogin'"
	if [ "$msiarch" = arm64 ]; then
		pkgcode="{$(tr 'a-f' 'A-F' </proc/sys/kernel/random/uuid)}"
		msibuild "$msi" -s "traycheck $version" "The traycheck authors" "Arm64;1033" "$pkgcode"
	fi
	sign "$msi"
	echo "built $dist/traycheck-$version-$msiarch.msi"
done

# The fleet MSI (per-machine, x64 only: Debian's mingw-w64 builds no
# aarch64 DLL): the Application log source's message DLL, signed, and the
# policy templates.
f=$stage/fleet
mkdir -p "$f"
VERSION=$version scripts/build-eventdll.sh "$f/traycheck-events.dll" >/dev/null
sign "$f/traycheck-events.dll"
fleetmsi=$dist/traycheck-fleet-$version-x64.msi
scripts/build-fleet-msi.sh "$f/traycheck-events.dll" "$fleetmsi" "$version" "$msiversion" >/dev/null
sign "$fleetmsi"
echo "built $fleetmsi"

# macOS: the console build (a tray build needs cgo and a Mac), as tarballs.
for arch in amd64 arm64; do
	d=$stage/darwin-$arch/traycheck_${version}_darwin_$arch
	mkdir -p "$d"
	gobuild darwin "$arch" "$d/traycheck"
	cp LICENSE README.md "$stage/traycheck.1.gz" "$d/"
	tar -C "$(dirname "$d")" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
		-czf "$dist/traycheck_${version}_darwin_$arch.tar.gz" "$(basename "$d")"
	echo "built $dist/traycheck_${version}_darwin_$arch.tar.gz"
done

(cd "$dist" && sha256sum -- * >SHA256SUMS)
echo "dist: $(ls "$dist" | wc -l) files in $dist, checksums in $dist/SHA256SUMS"
