#!/usr/bin/env bash
# The hostile clients of the hardening issue against Ferry (started by bin/ferry, as a user runs it) and
# redis-server on the same machine, one after the other; prints a second client's PING latency during each.
#
#   bench/attack.sh                       # every attack
#   bench/attack.sh keys set512           # some of them (keys bulk9000 set512 flood slow5000 unread3m)
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 20000 2>/dev/null || true
# shellcheck source=servers.sh
. bench/servers.sh

echo "== Ferry ($ferry_java)"
java bench/Attack.java "$FERRY_PORT" "$@"
echo "== redis-server $redis_version"
java bench/Attack.java "$REDIS_PORT" "$@"
echo "Ferry's log: $(grep -c ERROR "$work/ferry.log" || true) ERROR lines, $(grep -c 'Exception' "$work/ferry.log" || true) exception lines"
