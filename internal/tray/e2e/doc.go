// Package e2e holds the desktop end-to-end tests of the tray app: the real
// traycheck binary in a real headless desktop (scripts/with-desktop.sh: Xvfb,
// a private session bus, xfce4-panel's StatusNotifier host, xfce4-notifyd,
// and a dunst of its own), driven over D-Bus and with real X clicks, and
// checked by what the bus carries and what the screen shows. It has no
// non-test code.
package e2e
