#!/usr/bin/env bash
# The hostile clients of the hardening issue against Ferry (started by bin/ferry, as a user runs it) and
# redis-server on the same machine, one after the other; prints a second client's PING latency during each.
#
#   bench/attack.sh                       # every attack
#   bench/attack.sh keys set512           # some of them (keys bulk9000 set512 flood slow5000 unread3m)
set -euo pipefail
cd "$(dirname "$0")/.."
FERRY_PORT=${FERRY_PORT:-16379}
REDIS_PORT=${REDIS_PORT:-16380}
command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install -y redis-server redis-tools" >&2; exit 1; }
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests
ulimit -n 20000 2>/dev/null || true

work=$(mktemp -d)
cleanup() {
  [ -n "${ferry_pid:-}" ] && kill "$ferry_pid" 2>/dev/null || true
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

bin/ferry -Dferry.port="$FERRY_PORT" -Dquarkus.http.port=0 -Dferry.dir="$work" >"$work/ferry.log" 2>&1 &
ferry_pid=$!
redis-server --port "$REDIS_PORT" --save "" --appendonly no --dir "$work" --daemonize yes >/dev/null
for port in "$FERRY_PORT" "$REDIS_PORT"; do
  for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.2; done
done

echo "== Ferry ($(bin/ferry -version 2>&1 | head -1 || true))"
java bench/Attack.java "$FERRY_PORT" "$@"
echo "== redis-server $(redis-server --version | awk '{print $3}' | cut -d= -f2)"
java bench/Attack.java "$REDIS_PORT" "$@"
echo "Ferry's log: $(grep -c ERROR "$work/ferry.log" || true) ERROR lines, $(grep -c 'Exception' "$work/ferry.log" || true) exception lines"
