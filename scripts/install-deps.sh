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
  # the real-program lane: the daemons and clients users run, staged in
  # private network namespaces and on ptys
  openvpn openssh-server openssh-client picocom minicom cu python3-serial
  strongswan-charon wireguard-go wireguard-tools xl2tpd dnsmasq gunicorn
  # runtimes whose "address in use" texts explain's catalogue is tested on
  python3-flask nodejs
  # the Windows lane: Wine runs the Windows test binaries and traycheck.exe;
  # mingw builds the ProcessPrng shim and the message table
  wine wine64 gcc-mingw-w64-x86-64
  # packages: MSI tools, lintian, rpm, Authenticode signing, XML checks
  msitools wixl lintian rpm osslsigncode libxml2-utils zip groff-base
  # the shells whose completion scripts are tested for real
  zsh fish
  # fleet sinks: journald and node_exporter for real
  systemd prometheus-node-exporter curl
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
# Installing daemons (sshd, dnsmasq, openvpn, node_exporter) must not start
# them on the machine: the tests start their own, in namespaces. Without a
# policy-rc.d of the machine's own, one that refuses every start is in place
# for the install.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod 755 /usr/sbin/policy-rc.d
  trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo apt-get update -qq
# --no-install-recommends keeps dbus-x11 out: with it godbus auto-launches a
# stray session bus for any process that has none, which hides real bugs.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
