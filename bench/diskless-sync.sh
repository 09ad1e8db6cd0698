#!/usr/bin/env bash
# A full sync from disk (repl-diskless-sync no) against one streamed to the replica's socket (yes, delay 0), ROUNDS
# rounds, the modes alternating; prints the medians. The master holds KEYS keys x VALUE_SIZE B (DEBUG POPULATE);
# the replica is a redis-server 7.0 (repl-diskless-load disabled, its default: it writes what it receives to a
# file and loads it, either way); the time is from REPLICAOF to master_link_status:up on the replica (polled every
# 10 ms). The same rounds run with a redis-server master for reference.
#
#   bench/diskless-sync.sh
#   KEYS=200000 ROUNDS=5 bench/diskless-sync.sh
set -euo pipefail
cd "$(dirname "$0")/.."

KEYS=${KEYS:-1000000}
VALUE_SIZE=${VALUE_SIZE:-100}
ROUNDS=${ROUNDS:-3}
MASTER_PORT=${MASTER_PORT:-16379}
REPLICA_PORT=${REPLICA_PORT:-16380}
command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install -y redis-server redis-tools" >&2; exit 1; }
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests

work=$(mktemp -d)
pids=()
stop_all() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pids=()
  redis-cli -p "$MASTER_PORT" shutdown nosave >/dev/null 2>&1 || true
  redis-cli -p "$REPLICA_PORT" shutdown nosave >/dev/null 2>&1 || true
  sleep 0.3
}
trap 'stop_all; rm -rf "$work"' EXIT
now_ms() { date +%s%3N; }
await_port() { for _ in $(seq 300); do redis-cli -p "$1" ping 2>/dev/null | grep -q PONG && return; sleep 0.1; done; echo "port $1 did not answer" >&2; exit 1; }
field() { redis-cli -p "$1" info replication | tr -d '\r' | sed -n "s/^$2://p"; }

start_pair() {
  local kind=$1
  rm -rf "$work/m" "$work/r"; mkdir -p "$work/m" "$work/r"
  if [ "$kind" = ferry ]; then
    bin/ferry -Dferry.port="$MASTER_PORT" -Dquarkus.http.port=0 -Dferry.dir="$work/m" -Dferry.save='""' \
      -Dferry.archive.url=none -Dferry.enable-debug-command=local >"$work/m.log" 2>&1 &
    pids+=($!)
  else
    redis-server --port "$MASTER_PORT" --save "" --appendonly no --dir "$work/m" \
      --enable-debug-command local --daemonize yes --logfile "$work/m.log" >/dev/null
  fi
  redis-server --port "$REPLICA_PORT" --save "" --appendonly no --dir "$work/r" --daemonize yes \
    --logfile "$work/r.log" >/dev/null
  await_port "$MASTER_PORT"; await_port "$REPLICA_PORT"
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

declare -A sync_ms
for round in $(seq "$ROUNDS"); do
  for kind in ferry redis; do
    for diskless in no yes; do
      start_pair "$kind"
      redis-cli -p "$MASTER_PORT" config set repl-diskless-sync "$diskless" repl-diskless-sync-delay 0 >/dev/null
      redis-cli -p "$MASTER_PORT" debug populate "$KEYS" key "$VALUE_SIZE" >/dev/null
      start=$(now_ms)
      redis-cli -p "$REPLICA_PORT" replicaof 127.0.0.1 "$MASTER_PORT" >/dev/null
      while [ "$(field "$REPLICA_PORT" master_link_status)" != up ]; do sleep 0.01; done
      ms=$(( $(now_ms) - start ))
      sync_ms[$kind-$diskless]+="$ms "
      echo "round $round $kind diskless=$diskless: full sync $ms ms" >&2
      stop_all
    done
  done
done

echo "keys=$KEYS value=$VALUE_SIZE rounds=$ROUNDS redis=$(redis-server --version | awk '{print $3}' | cut -d= -f2)"
for kind in ferry redis; do
  d=$(echo "${sync_ms[$kind-no]}" | tr ' ' '\n' | grep . | median)
  s=$(echo "${sync_ms[$kind-yes]}" | tr ' ' '\n' | grep . | median)
  echo "$kind master: disk ${d} ms, diskless ${s} ms, diskless/disk $(awk -v a="$s" -v b="$d" 'BEGIN { printf "%.2f", a / b }')"
done
