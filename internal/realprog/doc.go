// Package realprog holds no code, only tests: the real-program lane. Each
// test stages a conflict with the program a user really runs (openvpn,
// charon, sshd and ssh, wireguard-go, xl2tpd, dnsmasq) in a private network
// namespace on loopback, then runs the built traycheck binary in that
// namespace, as root or as nobody, and checks what it says.
package realprog
