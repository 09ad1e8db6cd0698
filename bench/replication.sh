#!/usr/bin/env bash
# Replication, Ferry -> Ferry vs redis-server -> redis-server on the same machine, ROUNDS rounds each, the two
# pairs alternating; prints medians and ratios of
#   - full sync: a master holding KEYS keys x VALUE_SIZE B, the time from REPLICAOF to master_link_status:up on
#     its replica (polled every 10 ms). Both masters send the snapshot from disk (redis-server gets
#     repl-diskless-sync no: Ferry has disk-based full syncs only), and Redis's replica loads as Redis does;
#   - SET throughput (redis-benchmark, 50 clients, pipeline 16, REQUESTS requests) on the master with that
#     replica attached, and how long after the load stops the replica's offset equals the master's (lag_ms).
# The dataset's keys are redis-benchmark's own (key:000000000000 ...), so its SETs update them (WORKLOAD=update,
# the default); WORKLOAD=insert fills with DEBUG POPULATE's key:N instead, so the SETs add a second million keys.
#
#   bench/replication.sh
#   KEYS=200000 ROUNDS=3 bench/replication.sh
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/replication.sh
set -euo pipefail
cd "$(dirname "$0")/.."

KEYS=${KEYS:-1000000}
VALUE_SIZE=${VALUE_SIZE:-100}
ROUNDS=${ROUNDS:-3}
REQUESTS=${REQUESTS:-2000000}
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

# Ferry without its archive (ferry.archive.url=none), as redis-server has none: the full sync's snapshot would
# otherwise be archived, and every write shipped by the stream archive, while they are timed
start_pair() {
  local kind=$1
  rm -rf "$work/m" "$work/r"; mkdir -p "$work/m" "$work/r"
  if [ "$kind" = ferry ]; then
    bin/ferry -Dferry.port="$MASTER_PORT" -Dquarkus.http.port=0 -Dferry.dir="$work/m" -Dferry.save='""' \
      -Dferry.archive.url=none -Dferry.enable-debug-command=local >"$work/m.log" 2>&1 &
    pids+=($!)
    bin/ferry -Dferry.port="$REPLICA_PORT" -Dquarkus.http.port=0 -Dferry.dir="$work/r" -Dferry.save='""' \
      -Dferry.archive.url=none >"$work/r.log" 2>&1 &
    pids+=($!)
  else
    redis-server --port "$MASTER_PORT" --save "" --appendonly no --dir "$work/m" --repl-diskless-sync no \
      --enable-debug-command local --daemonize yes --logfile "$work/m.log" >/dev/null
    redis-server --port "$REPLICA_PORT" --save "" --appendonly no --dir "$work/r" --daemonize yes \
      --logfile "$work/r.log" >/dev/null
  fi
  await_port "$MASTER_PORT"; await_port "$REPLICA_PORT"
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

declare -A sync_ms rps lag_ms
for round in $(seq "$ROUNDS"); do
  for kind in ferry redis; do
    start_pair "$kind"
    if [ "${WORKLOAD:-update}" = insert ]; then
      redis-cli -p "$MASTER_PORT" debug populate "$KEYS" key "$VALUE_SIZE" >/dev/null
    else
      awk -v n="$KEYS" -v size="$VALUE_SIZE" 'BEGIN { v = sprintf("%" size "s", ""); gsub(/ /, "x", v)
        for (i = 0; i < n; i++) { k = sprintf("key:%012d", i); printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, size, v } }' \
        | redis-cli -p "$MASTER_PORT" --pipe >/dev/null
    fi
    start=$(now_ms)
    redis-cli -p "$REPLICA_PORT" replicaof 127.0.0.1 "$MASTER_PORT" >/dev/null
    while [ "$(field "$REPLICA_PORT" master_link_status)" != up ]; do sleep 0.01; done
    sync_ms[$kind]+="$(( $(now_ms) - start )) "
    out=$(redis-benchmark -p "$MASTER_PORT" -t set -n "$REQUESTS" -r 1000000 -d "$VALUE_SIZE" -P 16 -c 50 -q 2>/dev/null | tr '\r' '\n' | grep -a "requests per second" | tail -1)
    rps[$kind]+="$(echo "$out" | sed 's/.*: \([0-9.]*\) requests per second.*/\1/') "
    stopped=$(now_ms)
    while [ "$(field "$MASTER_PORT" master_repl_offset)" != "$(field "$REPLICA_PORT" slave_repl_offset)" ]; do sleep 0.01; done
    lag_ms[$kind]+="$(( $(now_ms) - stopped )) "
    echo "round $round $kind: sync $(echo "${sync_ms[$kind]}" | awk '{print $NF}') ms, SET $(echo "${rps[$kind]}" | awk '{print $NF}') rps, lag $(echo "${lag_ms[$kind]}" | awk '{print $NF}') ms" >&2
    stop_all
  done
done

ferry_java=$(sed -n 's/^ferry: java //p' "$work/m.log" 2>/dev/null || true)
echo "keys=$KEYS value=$VALUE_SIZE workload=${WORKLOAD:-update} rounds=$ROUNDS requests=$REQUESTS redis=$(redis-server --version | awk '{print $3}' | cut -d= -f2) ferry_java=${ferry_java:-see bin/ferry}"
for m in sync_ms rps lag_ms; do
  declare -n arr=$m
  f=$(echo "${arr[ferry]}" | tr ' ' '\n' | grep . | median)
  r=$(echo "${arr[redis]}" | tr ' ' '\n' | grep . | median)
  echo "$m ferry=$f redis=$r ratio=$(awk -v a="$f" -v b="$r" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
done
