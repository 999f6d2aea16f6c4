#!/usr/bin/env bash
# Prints the release version of the checked-out tree, for packages and for
# `traycheck version` (scripts/dist.sh stamps it with -ldflags):
#   tag v1.2.3 on HEAD             -> 1.2.3
#   5 commits after v1.2.3         -> 1.2.3+git5.gabc1234
#   tag v1.3.0-rc.1                -> 1.3.0~rc.1   (sorts before 1.3.0 in dpkg and rpm)
#   no v* tag at all               -> 0.0.0+git42.gabc1234 (42 commits in HEAD)
#   uncommitted changes            -> ... plus .dirty
# Every form is a valid Debian and RPM version (no '-', starts with a digit).
# VERSION in the environment wins, after the same leading-v strip.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${VERSION:-}" ]; then
	v=${VERSION#v}
else
	d=$(git describe --tags --match 'v[0-9]*' --long --dirty 2>/dev/null || true)
	if [ -z "$d" ]; then
		v="0.0.0+git$(git rev-list --count HEAD).g$(git rev-parse --short=7 HEAD)"
		git diff --quiet HEAD 2>/dev/null || v="$v.dirty"
	else
		dirty=""
		case $d in *-dirty) dirty=1; d=${d%-dirty} ;; esac
		hash=${d##*-}            # gabc1234
		d=${d%-*}
		count=${d##*-}           # commits since the tag
		tag=${d%-*}
		v=${tag#v}
		v=${v//-/\~}             # a pre-release: 1.3.0-rc.1 -> 1.3.0~rc.1
		meta=""
		[ "$count" = 0 ] || meta="git$count.$hash"
		[ -z "$dirty" ] || meta="${meta:+$meta.}dirty"
		[ -z "$meta" ] || v="$v+$meta"
	fi
fi
if ! printf '%s' "$v" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+([~+][0-9A-Za-z.~+]*)?$'; then
	echo "version.sh: version $v is not MAJOR.MINOR.PATCH[~pre][+meta]" >&2
	exit 1
fi
printf '%s\n' "$v"
