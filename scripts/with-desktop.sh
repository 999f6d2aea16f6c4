#!/usr/bin/env bash
# Runs a command inside a private headless desktop session. Placeholder until
# the tray issue lands: it only runs the command.
set -euo pipefail
exec "$@"
