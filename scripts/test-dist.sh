#!/usr/bin/env bash
# Installs what `make dist` built and runs it, as a user would (make
# test-dist; part of make test). Needs root (dpkg -i), lintian, rpm,
# desktop-file-validate, groff, msiinfo, msiextract, wixl, msibuild, wine,
# mingw and go.
#
#   .deb  lintian clean (overrides justified in packaging/linux/lintian-overrides),
#         dpkg -i, traycheck version/check from /usr/bin, the autostart entry
#         valid and switchable off per user, the policy conffile kept when
#         edited, dpkg -r keeps only the conffiles, dpkg --purge leaves nothing
#   .rpm  rpm -qlp lists exactly the expected files, no hard dependency
#   .msi  tables asserted with msiinfo; installed in a fresh Wine prefix with
#         msiexec /qn, the installed traycheck.exe run, upgraded by a newer
#         build, uninstalled: no file, no Run value, no protocol handler left
#   fleet the per-machine MSI's tables; installed in another fresh prefix:
#         the event log source's key names the installed DLL, whose message
#         table FormatMessage reads; upgraded; uninstalled: no key, no file
#   sums  SHA256SUMS verifies; archives hold what they should
#
# This machine's state is left as it was: the script refuses to run when a
# traycheck package is already installed, removes its own on any exit
# (trap), and runs Wine with a temporary HOME and prefix and without its
# desktop-menu integration.
set -euo pipefail
export LC_ALL=C # sort orders the file lists the same everywhere
cd "$(dirname "$0")/.."
root=$PWD
dist=$root/build/dist
version=$(scripts/version.sh)
msiversion=${version%%[~+]*}

fail() { echo "test-dist: FAIL: $*" >&2; exit 1; }
step() { echo "test-dist: $*"; }

[ "$(id -u)" -eq 0 ] || fail "needs root (dpkg -i); run it as root or through sudo"
for tool in dpkg lintian rpm desktop-file-validate groff bash fish zsh msiinfo msiextract msibuild wixl wine wineboot wineserver x86_64-w64-mingw32-gcc x86_64-w64-mingw32-objdump unzip sha256sum file; do
	command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps.sh installs it)"
done
deb=$dist/traycheck_${version}_amd64.deb
[ -f "$deb" ] || fail "$deb missing: run make dist first (the tree's version is $version)"

if dpkg-query -W -f='${Status}' traycheck 2>/dev/null | grep 'installed\|config-files' >/dev/null; then
	fail "a traycheck package is already on this machine; this test will not touch it"
fi
[ ! -e /usr/bin/traycheck ] || fail "/usr/bin/traycheck exists and belongs to no package; move it away first"

tmp=$(mktemp -d)
deb_installed=""
cleanup() {
	local rc=$?
	if [ -n "$deb_installed" ]; then
		dpkg --purge traycheck >/dev/null 2>&1 || echo "test-dist: WARNING: dpkg --purge traycheck failed" >&2
	fi
	# scripts/test-msi.sh's and test-fleet-msi.sh's prefixes: stop their
	# wineservers (and any program left in them), which may still be saving
	# the registry as we remove it.
	for p in "$tmp/wineprefix" "$tmp/fleetprefix"; do
		if [ -d "$p" ]; then WINEPREFIX=$p wineserver -k 2>/dev/null || true; fi
	done
	for _ in $(seq 50); do
		rm -rf "$tmp" 2>/dev/null && break
		sleep 0.2
	done
	[ ! -e "$tmp" ] || echo "test-dist: WARNING: could not remove $tmp" >&2
	[ $rc -eq 0 ] || echo "test-dist: FAILED (the test package, if installed, was purged)" >&2
}
trap cleanup EXIT

# --- version scheme ---------------------------------------------------------------
step "scripts/version.sh in a scratch repository"
(
	unset VERSION
	r=$tmp/vrepo
	mkdir -p "$r/scripts"
	cp scripts/version.sh "$r/scripts/"
	cd "$r"
	g() { git -c user.name=t -c user.email=t@t -c commit.gpgsign=false -c tag.gpgsign=false "$@" >/dev/null; }
	g init -q .
	g commit -q --allow-empty -m one
	case $(scripts/version.sh) in 0.0.0+git1.g*) ;; *) fail "untagged: $(scripts/version.sh)" ;; esac
	g tag -a v1.2.3 -m v1.2.3
	[ "$(scripts/version.sh)" = 1.2.3 ] || fail "on tag v1.2.3: $(scripts/version.sh)"
	g commit -q --allow-empty -m two
	case $(scripts/version.sh) in 1.2.3+git1.g*) ;; *) fail "one commit after v1.2.3: $(scripts/version.sh)" ;; esac
	g tag -a v1.3.0-rc.1 -m rc
	[ "$(scripts/version.sh)" = 1.3.0~rc.1 ] || fail "on tag v1.3.0-rc.1: $(scripts/version.sh)"
	[ "$(VERSION=v2.0.0 scripts/version.sh)" = 2.0.0 ] || fail "VERSION=v2.0.0: $(VERSION=v2.0.0 scripts/version.sh)"
	! VERSION=2.0 scripts/version.sh 2>/dev/null || fail "VERSION=2.0 was accepted"
	# 1.3.0~rc.1 < 1.3.0 < 1.3.0+git1 for dpkg
	dpkg --compare-versions 1.3.0~rc.1 lt 1.3.0 && dpkg --compare-versions 1.3.0 lt 1.3.0+git1.gabc1234 ||
		fail "dpkg orders the version forms wrongly"
)

# --- checksums and archives ---------------------------------------------------
step "SHA256SUMS"
(cd "$dist" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not verify"
for f in traycheck_${version}_amd64.deb traycheck_${version}_arm64.deb \
	traycheck-$version-1.x86_64.rpm traycheck-$version-1.aarch64.rpm \
	traycheck-$version-x64.msi traycheck-$version-arm64.msi traycheck-fleet-$version-x64.msi \
	traycheck_${version}_windows_amd64.zip traycheck_${version}_windows_arm64.zip \
	traycheck_${version}_darwin_amd64.tar.gz traycheck_${version}_darwin_arm64.tar.gz; do
	grep -q "  $f\$" "$dist/SHA256SUMS" || fail "$f is not in SHA256SUMS"
done
for arch in amd64 arm64; do
	got=$(unzip -Z1 "$dist/traycheck_${version}_windows_$arch.zip" | sort | tr '\n' ' ')
	[ "$got" = "traycheck/ traycheck/LICENSE.txt traycheck/README.md traycheck/admx/ traycheck/admx/en-US/ traycheck/admx/en-US/traycheck.adml traycheck/admx/traycheck.admx traycheck/traycheck-cli.exe traycheck/traycheck.exe " ] ||
		fail "windows $arch zip holds: $got"
	unzip -p "$dist/traycheck_${version}_windows_$arch.zip" traycheck/admx/traycheck.admx | cmp -s - packaging/windows/admx/traycheck.admx ||
		fail "windows $arch zip: admx/traycheck.admx differs from packaging/windows/admx"
	unzip -p "$dist/traycheck_${version}_windows_$arch.zip" traycheck/admx/en-US/traycheck.adml | cmp -s - packaging/windows/admx/en-US/traycheck.adml ||
		fail "windows $arch zip: admx/en-US/traycheck.adml differs from packaging/windows/admx"
	got=$(tar -tzf "$dist/traycheck_${version}_darwin_$arch.tar.gz" | sort | tr '\n' ' ')
	p=traycheck_${version}_darwin_$arch
	[ "$got" = "$p/ $p/LICENSE $p/README.md $p/traycheck $p/traycheck.1.gz " ] || fail "darwin $arch tarball holds: $got"
done

# --- signatures --------------------------------------------------------------------
if [ -n "${SIGN_CERT:-}" ]; then
	step "Authenticode signatures (osslsigncode verify against $SIGN_CERT)"
	mkdir -p "$tmp/unzip"
	for arch in amd64 arm64; do
		unzip -q -o "$dist/traycheck_${version}_windows_$arch.zip" -d "$tmp/unzip/$arch"
		for f in "$tmp/unzip/$arch/traycheck/traycheck.exe" "$tmp/unzip/$arch/traycheck/traycheck-cli.exe"; do
			osslsigncode verify -CAfile "${SIGN_CA:-$SIGN_CERT}" -in "$f" >/dev/null || fail "$arch $(basename "$f") in the zip is not signed"
		done
	done
	for arch in x64 arm64; do
		osslsigncode verify -CAfile "${SIGN_CA:-$SIGN_CERT}" -in "$dist/traycheck-$version-$arch.msi" >/dev/null ||
			fail "the $arch MSI is not signed"
	done
else
	echo "test-dist: SIGN_CERT not set: signatures not checked (make test-dist signs with a throw-away certificate)" >&2
fi

# --- .deb ------------------------------------------------------------------------
step "lintian (both architectures)"
for arch in amd64 arm64; do
	rc=0
	out=$(lintian --pedantic --fail-on error,warning,info,pedantic "$dist/traycheck_${version}_$arch.deb" 2>&1) || rc=$?
	out=$(printf '%s\n' "$out" | grep -v 'running with root privileges' || true)
	[ $rc -eq 0 ] && [ -z "$out" ] || fail "lintian on the $arch .deb (exit $rc): $out"
done
# The files both packages hold; each format adds its own below (a .deb its
# changelog, copyright and lintian overrides, an .rpm its license; zsh looks
# in a different folder on each family).
common_files="/etc/traycheck/policy.toml
/etc/xdg/autostart/traycheck.desktop
/usr/bin/traycheck
/usr/lib/systemd/catalog/traycheck.catalog
/usr/share/applications/traycheck.desktop
/usr/share/bash-completion/completions/traycheck
/usr/share/doc/traycheck/README.md
/usr/share/fish/vendor_completions.d/traycheck.fish
/usr/share/icons/hicolor/128x128/apps/traycheck.png
/usr/share/icons/hicolor/16x16/apps/traycheck.png
/usr/share/icons/hicolor/22x22/apps/traycheck.png
/usr/share/icons/hicolor/24x24/apps/traycheck.png
/usr/share/icons/hicolor/256x256/apps/traycheck.png
/usr/share/icons/hicolor/32x32/apps/traycheck.png
/usr/share/icons/hicolor/48x48/apps/traycheck.png
/usr/share/icons/hicolor/64x64/apps/traycheck.png
/usr/share/icons/hicolor/scalable/apps/traycheck.svg
/usr/share/icons/hicolor/symbolic/apps/traycheck-symbolic.svg
/usr/share/man/man1/traycheck.1.gz
/usr/share/traycheck/schema/check-1.schema.json
/usr/share/traycheck/schema/config-1.schema.json
/usr/share/traycheck/schema/discover-1.schema.json
/usr/share/traycheck/schema/explain-1.schema.json
/usr/share/traycheck/schema/report-1.schema.json
/usr/share/traycheck/schema/watch-1.schema.json"
# files_with LIST EXTRA...: LIST and the EXTRA paths, one a line, sorted as the
# lists read from the packages are.
files_with() { printf '%s\n' "$@" | LC_ALL=C sort; }
want_files=$(files_with "$common_files" \
	/usr/share/doc/traycheck/changelog.Debian.gz \
	/usr/share/doc/traycheck/copyright \
	/usr/share/lintian/overrides/traycheck \
	/usr/share/zsh/vendor-completions/_traycheck)
got=$(dpkg-deb -c "$dist/traycheck_${version}_arm64.deb" | awk '$1 !~ /^d/ {sub(/^\./, "", $6); print $6}' | LC_ALL=C sort)
[ "$got" = "$want_files" ] || fail "arm64 .deb holds:
$got"
[ -z "$(dpkg-deb -f "$deb" Depends)" ] || fail ".deb depends on $(dpkg-deb -f "$deb" Depends); it needs nothing"
# What the actions need is recommended (pkexec) or suggested (a clipboard
# program), never required.
[ "$(dpkg-deb -f "$deb" Recommends)" = "pkexec | policykit-1" ] || fail ".deb Recommends: $(dpkg-deb -f "$deb" Recommends)"
case $(dpkg-deb -f "$deb" Suggests) in *"xclip | xsel | wl-clipboard"*) ;; *) fail ".deb Suggests: $(dpkg-deb -f "$deb" Suggests)" ;; esac
conffiles="/etc/traycheck/policy.toml
/etc/xdg/autostart/traycheck.desktop"
got=$(dpkg-deb -I "$deb" conffiles | LC_ALL=C sort)
[ "$got" = "$conffiles" ] || fail ".deb conffiles: $got"

step "dpkg -i"
deb_installed=1
dpkg -i "$deb" >/dev/null
got=$(dpkg -L traycheck | while read -r f; do [ -d "$f" ] || echo "$f"; done | LC_ALL=C sort)
[ "$got" = "$want_files" ] || fail "installed files:
$got"

# Run the installed program as a user would, but with a throw-away home:
# nothing of this machine's user (config, autostart, log) is read or written.
home=$tmp/home
mkdir -p "$home"
as_user() { env -i PATH=/usr/bin:/bin HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_CACHE_HOME="$home/.cache" "$@"; }
got=$(cd / && as_user traycheck version)
case $got in "traycheck $version (go"*", linux/amd64)") ;; *) fail "/usr/bin/traycheck version printed '$got', want 'traycheck $version (GOVERSION, linux/amd64)'" ;; esac
[ "$(cd / && as_user traycheck --version)" = "$got" ] || fail "traycheck --version differs from traycheck version"
[ "$(command -v traycheck)" = /usr/bin/traycheck ] || fail "traycheck on PATH is $(command -v traycheck)"
set +e
out=$(as_user /usr/bin/traycheck check 2>&1)
rc=$?
set -e
# 0: all free; 1: a configured port is held on this machine (CI runners may
# run a VPN or a DNS server). A usage (2) or probe (3) failure is a failure.
[ $rc -le 1 ] || fail "traycheck check exited $rc: $out"
grep -Eq '^(ok|PROBLEM) +[a-z-]+ +(tcp|udp)/[0-9]+' <<<"$out" || fail "traycheck check printed no finding: $out"
desktop-file-validate /etc/xdg/autostart/traycheck.desktop || fail "the autostart entry does not validate"
# The launcher: valid, found by the desktop's menu, its icon in the theme.
desktop-file-validate /usr/share/applications/traycheck.desktop || fail "the launcher does not validate"
grep -qx 'Exec=traycheck tray' /usr/share/applications/traycheck.desktop || fail "the launcher does not start the tray"
grep -q '^NoDisplay' /usr/share/applications/traycheck.desktop && fail "the launcher is hidden from the menu"
for f in /usr/share/icons/hicolor/*/apps/traycheck.png; do
	n=${f#/usr/share/icons/hicolor/}
	n=${n%%x*}
	case $(file -b "$f") in "PNG image data, $n x $n,"*) ;; *) fail "$f is not a $n×$n PNG: $(file -b "$f")" ;; esac
done
cmp -s /usr/share/doc/traycheck/README.md README.md || fail "the README is not shipped as /usr/share/doc/traycheck/README.md"
zcat /usr/share/man/man1/traycheck.1.gz | groff -man -ww -z 2>&1 | { ! grep .; } || fail "groff warns about the man page"
zcat /usr/share/man/man1/traycheck.1.gz | grep -F "traycheck $version" >/dev/null || fail "the man page does not carry version $version"
page=$(zcat /usr/share/man/man1/traycheck.1.gz)
for want in '^\.SH CAUSES$' '^\.SH ACTIONS$' '^\.SH ENVIRONMENT$' '^\.SH EXAMPLES$' '^\.SH SEE ALSO$' '^\.I /etc/traycheck/policy\.toml$' \
	'^\.B TRAYCHECK_PROC_WALK$' '^\.B other\\-app$' '^\.B end\\-process$' '^\.B 130$'; do
	grep -q -- "$want" <<<"$page" || fail "the man page lacks $want"
done

# systemd's dpkg trigger has put the catalog into the journal's database.
# (Read whole first: grep -q would stop reading, and pipefail would count
# journalctl's SIGPIPE.)
catalog=$(journalctl --list-catalog 2>/dev/null || true)
grep -q 'traycheck: .* is held by another program' <<<"$catalog" ||
	fail "journalctl --list-catalog does not know traycheck's messages after dpkg -i"

for f in docs/schema/*-1.schema.json; do
	cmp -s "$f" "/usr/share/traycheck/schema/$(basename "$f")" || fail "/usr/share/traycheck/schema/$(basename "$f") is not $f"
done

step "shell completion from the installed files"
got=$(as_user bash --norc --noprofile -c 'source /usr/share/bash-completion/completions/traycheck && complete -p traycheck')
[ "$got" = "complete -F _traycheck traycheck" ] || fail "bash: complete -p traycheck: $got"
got=$(as_user bash --norc --noprofile -c 'source /usr/share/bash-completion/completions/traycheck
COMP_WORDS=(traycheck ch); COMP_CWORD=1; _traycheck; printf "%s\n" "${COMPREPLY[@]}"')
[ "$got" = "$(printf 'check\ncheck-now')" ] || fail "bash completes 'traycheck ch' as: $got"
# fish and zsh find the files by themselves, as after a user's login.
got=$(as_user fish -c 'complete -C "traycheck check --js"')
case $got in "--json"*) ;; *) fail "fish completes 'traycheck check --js' as: $got" ;; esac
got=$(as_user zsh -f -c 'autoload -U compinit && compinit -u -D && print -r -- $_comps[traycheck]')
[ "$got" = _traycheck ] || fail "zsh's compinit does not know traycheck's completion: '$got'"

step "the machine policy: shipped setting nothing, an administrator's edit kept"
policy=/etc/traycheck/policy.toml
cmp -s "$policy" packaging/linux/policy.toml || fail "$policy is not packaging/linux/policy.toml"
[ "$(stat -c '%a %U %G' "$policy")" = "644 root root" ] || fail "$policy: $(stat -c '%a %U %G' "$policy"), want 644 root root"
! grep -v '^#' "$policy" | grep . >/dev/null || fail "$policy sets something as shipped"
printf '[check]\ninterval = "45s"\n' >>"$policy"
dpkg -i "$deb" >/dev/null
grep -q '^interval = "45s"$' "$policy" || fail "reinstalling the .deb replaced the administrator's $policy"

step "autostart: the package's entry, switched off and on per user"
got=$(as_user traycheck autostart status)
case $got in "enabled: /etc/xdg/autostart/traycheck.desktop"*) ;; *) fail "autostart status with the package: $got" ;; esac
as_user traycheck autostart disable >/dev/null
grep -q '^Hidden=true$' "$home/.config/autostart/traycheck.desktop" || fail "disable wrote no Hidden=true override"
desktop-file-validate "$home/.config/autostart/traycheck.desktop" || fail "the user's override does not validate"
got=$(as_user traycheck autostart status)
case $got in disabled:*) ;; *) fail "autostart status after disable: $got" ;; esac
as_user traycheck autostart enable >/dev/null
[ ! -e "$home/.config/autostart/traycheck.desktop" ] || fail "enable left the override in place"

step "dpkg -r, dpkg --purge"
dpkg -r traycheck >/dev/null
[ "$(dpkg-query -W -f='${Status}' traycheck)" = "deinstall ok config-files" ] || fail "after dpkg -r: $(dpkg-query -W -f='${Status}' traycheck)"
for f in $want_files; do
	if grep -qx "$f" <<<"$conffiles"; then
		[ -e "$f" ] || fail "dpkg -r removed the conffile $f (only --purge should)"
	else
		[ ! -e "$f" ] || fail "dpkg -r left $f"
	fi
done
dpkg --purge traycheck >/dev/null
deb_installed=""
for f in $want_files /etc/traycheck /usr/share/doc/traycheck /usr/share/lintian/overrides/traycheck /usr/share/traycheck; do
	[ ! -e "$f" ] || fail "dpkg --purge left $f"
done
! dpkg-query -W -f='${Status}' traycheck 2>/dev/null | grep installed >/dev/null || fail "dpkg still knows traycheck after --purge"
catalog=$(journalctl --list-catalog 2>/dev/null || true)
! grep -q 'traycheck: ' <<<"$catalog" || fail "the journal's catalog still has traycheck's messages after --purge"

# --- .rpm --------------------------------------------------------------------------
step "rpm -qlp (both architectures)"
want_rpm=$(files_with "$common_files" \
	/usr/share/licenses/traycheck/LICENSE \
	/usr/share/zsh/site-functions/_traycheck)
for arch in x86_64 aarch64; do
	r=$dist/traycheck-$version-1.$arch.rpm
	got=$(rpm -qlp "$r" 2>/dev/null | LC_ALL=C sort)
	[ "$got" = "$want_rpm" ] || fail "$arch rpm holds:
$got"
	[ "$(rpm -qp --qf '%{ARCH} %{LICENSE}' "$r" 2>/dev/null)" = "$arch MIT" ] || fail "$arch rpm header: $(rpm -qp --qf '%{ARCH} %{LICENSE}' "$r")"
	[ "$(rpm -qp --configfiles "$r" 2>/dev/null | LC_ALL=C sort)" = "$conffiles" ] || fail "$arch rpm: %config files: $(rpm -qp --configfiles "$r" 2>/dev/null)"
	# %config(noreplace): an upgrade keeps the administrator's policy.
	flags=$(rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' "$r" 2>/dev/null | sed -n 's|^/etc/traycheck/policy.toml ||p')
	case $flags in *c*n* | *n*c*) ;; *) fail "$arch rpm: policy.toml flags '$flags', want %config(noreplace)" ;; esac
	req=$(rpm -qp --requires "$r" 2>/dev/null | grep -v '^rpmlib(' || true)
	[ -z "$req" ] || fail "$arch rpm requires $req; it needs nothing"
	[ "$(rpm -qp --recommends "$r" 2>/dev/null | grep -c '^polkit$')" = 1 ] || fail "$arch rpm does not recommend polkit: $(rpm -qp --recommends "$r")"
	rpm -qp --suggests "$r" 2>/dev/null | grep -qF '(xclip or xsel or wl-clipboard)' || fail "$arch rpm does not suggest a clipboard program"
done

# --- .msi --------------------------------------------------------------------------
scripts/test-msi.sh "$tmp" "$version" "$msiversion"
scripts/test-fleet-msi.sh "$tmp" "$version" "$msiversion"

step "all passed"
