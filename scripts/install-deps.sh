#!/usr/bin/env bash
# Installs every Debian 12 package the test suite needs. Idempotent: when all
# are present it does nothing (no apt-get update), so `make test` stays fast.
set -euo pipefail

pkgs=(
  # desktop session for the tray and notification tests
  xvfb dbus libglib2.0-bin xfce4-panel xfce4-notifyd dunst imagemagick xdotool x11-utils xclip
  # real holders and inspectors for the probe tests and benchmarks
  socat lsof iproute2 procps util-linux hyperfine
  # autostart entry validation
  desktop-file-utils
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# --no-install-recommends keeps dbus-x11 out: with it godbus auto-launches a
# stray session bus for any process that has none, which hides real bugs.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
