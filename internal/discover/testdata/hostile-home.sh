#!/bin/sh
# hostile-home.sh DIR: writes into DIR a home directory as a hostile local
# user or a careless admin would leave it, for measuring `traycheck config
# discover` (HOME=DIR /usr/bin/time -v traycheck config discover). The Go
# benchmark BenchmarkDiscoverHostileHome builds the same tree.
set -eu
home=$1
mkdir -p "$home/.ssh/conf.d" "$home/.config/vpn"
long=$(head -c 204800 /dev/zero | tr '\0' x)
{
	echo 'Include config config config'
	echo 'Include conf.d/*'
	echo 'Include fifo /proc/kmsg /dev/zero'
	echo "# $long"
	echo 'LocalForward 2222 127.0.0.1:22'
	echo "# $long"
	printf 'Host \033]52;c;aGk=\007evil\033[2J\n'
	echo '  DynamicForward 1080'
} >"$home/.ssh/config"
mkfifo "$home/.ssh/fifo"
i=0
while [ $i -lt 5000 ]; do
	printf 'Include ../config\nLocalForward %d h:1\n' $((10000 + i)) >"$home/.ssh/conf.d/h$i"
	i=$((i + 1))
done
mkfifo "$home/.config/vpn/planted.ovpn"
ln -s /proc/kmsg "$home/.config/vpn/kmsg.ovpn"
printf 'client\nconfig work.ovpn\nconfig work.ovpn\nconfig planted.ovpn\nport 1195\n# %s\ndev tun\033]0;x\007\n' "$long" >"$home/.config/vpn/work.ovpn"
