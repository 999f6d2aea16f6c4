#!/usr/bin/env bash
# Runs a command inside a private headless desktop session and returns its exit
# code: Xvfb, a private session dbus-daemon, xfce4-panel with a systray plugin
# (the StatusNotifierWatcher and a StatusNotifierHost) and xfce4-notifyd. The
# tray and notification e2e tests need it; everything else just runs inside.
#
#   scripts/with-desktop.sh go test ./...
#
# It exports DISPLAY, DBUS_SESSION_BUS_ADDRESS, private XDG_* directories,
# NO_AT_BRIDGE=1, TRAYCHECK_DESKTOP=1 and TRAYCHECK_DESKTOP_DIR (logs,
# screenshots may go elsewhere), and stops exactly what it started, in reverse
# order, including services the bus activated on demand. It works as root, in
# CI, without standard input, and fails loudly when a component does not come
# up. Set TRAYCHECK_DESKTOP_KEEP=1 to keep the session's directory for
# debugging.
set -euo pipefail

readonly START_TIMEOUT=${TRAYCHECK_DESKTOP_TIMEOUT:-30} # seconds per component

session=$(mktemp -d "${TMPDIR:-/tmp}/traycheck-desktop.XXXXXX")
pids=() # started components, in start order
names=()
dbus_pid=""

log() { echo "with-desktop: $*" >&2; }

die() {
  log "error: $*"
  for f in "$session"/*.log; do
    [ -s "$f" ] || continue
    log "--- last lines of $(basename "$f")"
    tail -n 20 "$f" >&2 || true
  done
  exit 70
}

# stop PID NAME: TERM its process group, then KILL after a bounded wait.
stop() {
  local pid=$1 name=$2 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) ignored SIGTERM; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    if [ "${pids[i]}" = "$dbus_pid" ]; then
      # Services the bus started on demand (xfconfd, a second notification
      # daemon) double-fork away from the bus but stay in its process group:
      # stop each of them before the bus, and wait for it.
      local child
      for child in $( (pgrep -g "$dbus_pid"; pgrep -P "$dbus_pid") 2>/dev/null | sort -u); do
        [ "$child" = "$dbus_pid" ] && continue
        stop "$child" "bus-activated $(cat "/proc/$child/comm" 2>/dev/null || echo service)"
      done
    fi
    stop "${pids[i]}" "${names[i]}"
  done
  if [ "${TRAYCHECK_DESKTOP_KEEP:-}" = 1 ]; then
    log "kept $session"
  else
    rm -rf "$session"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME CMD...: run CMD in its own process group (so plugin helpers die
# with it), output to NAME.log, stdin closed.
start() {
  local name=$1
  shift
  setsid "$@" </dev/null >"$session/$name.log" 2>&1 &
  pids+=("$!")
  names+=("$name")
}

# wait_for WHAT PID CMD...: poll CMD until it succeeds, while PID lives.
wait_for() {
  local what=$1 pid=$2 i
  shift 2
  for ((i = 0; i < START_TIMEOUT * 10; i++)); do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || die "$what: the process (pid $pid) exited"
    sleep 0.1
  done
  die "$what: not ready after ${START_TIMEOUT}s"
}

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is not installed (run scripts/install-deps.sh)"
}
for p in Xvfb dbus-daemon gdbus xfce4-panel setsid pgrep; do need "$p"; done
notifyd=$(ls /usr/lib/*/xfce4/notifyd/xfce4-notifyd 2>/dev/null | head -n 1 || true)
[ -x "$notifyd" ] || die "xfce4-notifyd is not installed (run scripts/install-deps.sh)"

# Keep Go's build cache where it was: it lives under XDG_CACHE_HOME, which the
# session replaces, and a cold cache would rebuild everything.
if command -v go >/dev/null 2>&1; then
  GOCACHE=$(go env GOCACHE)
  export GOCACHE
fi

mkdir -p "$session"/{config,cache,data,state,runtime}
chmod 0700 "$session/runtime"
export XDG_CONFIG_HOME="$session/config" XDG_CACHE_HOME="$session/cache" XDG_DATA_HOME="$session/data"
export XDG_STATE_HOME="$session/state" XDG_RUNTIME_DIR="$session/runtime"
export NO_AT_BRIDGE=1 # no accessibility bus: it would be one more stray daemon
unset SESSION_MANAGER DBUS_SESSION_BUS_PID

# 1. X server on a free display: Xvfb writes the display number to fd 3.
start xvfb Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>"$session/display"
wait_for "Xvfb display" "${pids[-1]}" test -s "$session/display"
DISPLAY=":$(head -n 1 "$session/display")"
export DISPLAY

# 2. Private session bus.
export DBUS_SESSION_BUS_ADDRESS="unix:path=$session/bus"
start dbus dbus-daemon --session --nofork --nopidfile --address="$DBUS_SESSION_BUS_ADDRESS"
dbus_pid=${pids[-1]}
wait_for "session bus" "$dbus_pid" gdbus call --session --dest org.freedesktop.DBus \
  --object-path /org/freedesktop/DBus --method org.freedesktop.DBus.GetId

# 3. xfce4-panel with one systray plugin: the StatusNotifierWatcher and host.
xml="$XDG_CONFIG_HOME/xfce4/xfconf/xfce-perchannel-xml"
mkdir -p "$xml"
cat >"$xml/xfce4-panel.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=8;x=640;y=784"/>
      <property name="length" type="uint" value="100"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="size" type="uint" value="32"/>
      <property name="plugin-ids" type="array">
        <value type="int" value="1"/>
        <value type="int" value="2"/>
        <value type="int" value="3"/>
      </property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="separator">
      <property name="expand" type="bool" value="true"/>
      <property name="style" type="uint" value="0"/>
    </property>
    <property name="plugin-2" type="string" value="systray">
      <property name="square-icons" type="bool" value="true"/>
    </property>
    <property name="plugin-3" type="string" value="clock"/>
  </property>
</channel>
EOF
start panel xfce4-panel --disable-wm-check
host_registered() {
  gdbus call --session --dest org.kde.StatusNotifierWatcher --object-path /StatusNotifierWatcher \
    --method org.freedesktop.DBus.Properties.Get org.kde.StatusNotifierWatcher IsStatusNotifierHostRegistered |
    grep -q true
}
wait_for "xfce4-panel's StatusNotifierHost" "${pids[-1]}" host_registered

# 4. The notification daemon, started by us so its PID is known (an activated
# one would be the bus's child, found only at cleanup).
start notifyd "$notifyd"
notifyd_pid=${pids[-1]}
notifyd_owns() {
  local out
  out=$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.GetConnectionUnixProcessID org.freedesktop.Notifications) || return 1
  [ "$out" = "(uint32 $notifyd_pid,)" ]
}
wait_for "xfce4-notifyd owning org.freedesktop.Notifications" "$notifyd_pid" notifyd_owns

export TRAYCHECK_DESKTOP=1 TRAYCHECK_DESKTOP_DIR="$session" TRAYCHECK_NOTIFYD_PID="$notifyd_pid"
log "desktop ready: DISPLAY=$DISPLAY bus=$DBUS_SESSION_BUS_ADDRESS"

set +e
"$@" </dev/null
rc=$?
set -e
exit "$rc"
