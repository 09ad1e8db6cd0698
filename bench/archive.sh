#!/usr/bin/env bash
# Archive and bootstrap, Ferry only (Redis has no archive to compare with): a master holding KEYS keys x VALUE_SIZE B
# archives a snapshot; then, ROUNDS times, alternating, a new replica on an empty disk joins it
#   - by bootstrap: it loads the archived snapshot and continues with PSYNC (+CONTINUE), and
#   - by full sync: no archive (ferry.archive.url=none), the master sends it a snapshot;
# each timed from the replica's launch to master_link_status:up, with the master's CPU seconds meanwhile and its
# count of full syncs and saves (bootstrap must add none). WRITES SETs are made on the master after the archived
# snapshot, so every bootstrap has a delta to fetch from the backlog. Prints medians.
#
# ARCHIVE=file (default): a local directory; ARCHIVE=s3: s3proxy (target/s3proxy/s3proxy.jar, copied by the build) as its
# own JVM on this machine, reached through the S3 API as AWS would be.
#
#   bench/archive.sh
#   KEYS=200000 ROUNDS=3 bench/archive.sh
#   ARCHIVE=s3 bench/archive.sh
set -euo pipefail
cd "$(dirname "$0")/.."

KEYS=${KEYS:-1000000}
VALUE_SIZE=${VALUE_SIZE:-100}
ROUNDS=${ROUNDS:-3}
WRITES=${WRITES:-100000}
MASTER_PORT=${MASTER_PORT:-16379}
REPLICA_PORT=${REPLICA_PORT:-16380}
command -v redis-cli >/dev/null || { echo "redis-cli is missing: apt-get install -y redis-tools" >&2; exit 1; }
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
now_ms() { date +%s%3N; }
await_port() { for _ in $(seq 600); do redis-cli -p "$1" ping 2>/dev/null | grep -qE "PONG|LOADING" && return; sleep 0.1; done; echo "port $1 did not answer" >&2; exit 1; }
field() { redis-cli -p "$1" info "${3:-everything}" 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"; }
cpu_ms() { awk '{ print ($14 + $15) * 10 }' "/proc/$1/stat"; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

mkdir -p "$work/m" "$work/archive"
ARCHIVE=${ARCHIVE:-file}
. bench/lib/archive-target.sh
archive_target $((MASTER_PORT + 2))
bin/ferry -Dferry.port="$MASTER_PORT" -Dquarkus.http.port=0 -Dferry.dir="$work/m" -Dferry.save='""' \
  "${archive_props[@]}" >"$work/m.log" 2>&1 &
master=$!; pids+=($master)
await_port "$MASTER_PORT"
until redis-cli -p "$MASTER_PORT" ping 2>/dev/null | grep -q PONG; do sleep 0.1; done # its own bootstrap: an empty archive
awk -v n="$KEYS" -v size="$VALUE_SIZE" 'BEGIN { v = sprintf("%" size "s", ""); gsub(/ /, "x", v)
  for (i = 0; i < n; i++) { k = sprintf("key:%012d", i); printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, size, v } }' \
  | redis-cli -p "$MASTER_PORT" --pipe >/dev/null
start=$(now_ms)
redis-cli -p "$MASTER_PORT" bgsave >/dev/null
until [ "$(field "$MASTER_PORT" archive_uploads_ok archive)" = 1 ]; do sleep 0.05; done
archive_ms=$(( $(now_ms) - start ))
upload_ms=$(field "$MASTER_PORT" archive_last_duration_ms archive)
snapshot_mb=$(awk -v b="$(field "$MASTER_PORT" archive_last_bytes archive)" 'BEGIN { printf "%.1f", b / 1e6 }')

declare -A join_ms cpu_ms_of full_of saves_of
for round in $(seq "$ROUNDS"); do
  redis-benchmark -p "$MASTER_PORT" -t set -n "$WRITES" -r "$KEYS" -d "$VALUE_SIZE" -P 16 -q >/dev/null 2>&1
  for kind in bootstrap fullsync; do
    rm -rf "$work/r"; mkdir -p "$work/r"
    props=("${archive_props[@]}"); [ "$kind" = fullsync ] && props=(-Dferry.archive.url=none)
    # a full sync's snapshot is archived like any other: its upload must not run into the next measurement
    until [ "$(field "$MASTER_PORT" archive_in_progress archive)" = 0 ]; do sleep 0.1; done
    full0=$(field "$MASTER_PORT" sync_full stats); saves0=$(field "$MASTER_PORT" rdb_saves persistence); c0=$(cpu_ms "$master")
    start=$(now_ms)
    bin/ferry -Dferry.port="$REPLICA_PORT" -Dquarkus.http.port=0 -Dferry.dir="$work/r" -Dferry.save='""' \
      "${props[@]}" -Dferry.replicaof="127.0.0.1 $MASTER_PORT" >"$work/r.log" 2>&1 &
    replica=$!; pids+=($replica)
    await_port "$REPLICA_PORT"
    until [ "$(field "$REPLICA_PORT" master_link_status replication)" = up ]; do sleep 0.01; done
    join_ms[$kind]+="$(( $(now_ms) - start )) "
    cpu_ms_of[$kind]+="$(( $(cpu_ms "$master") - c0 )) "
    full_of[$kind]+="$(( $(field "$MASTER_PORT" sync_full stats) - full0 )) "
    saves_of[$kind]+="$(( $(field "$MASTER_PORT" rdb_saves persistence) - saves0 )) "
    echo "round $round $kind: replica up in $(echo "${join_ms[$kind]}" | awk '{print $NF}') ms, master cpu $(echo "${cpu_ms_of[$kind]}" | awk '{print $NF}') ms, full syncs +$(echo "${full_of[$kind]}" | awk '{print $NF}'), saves +$(echo "${saves_of[$kind]}" | awk '{print $NF}')" >&2
    cp "$work/r.log" "${TMPDIR:-/tmp}/ferry-archive-bench-$kind.log" # the last round's replica log, kept for a look
    kill -9 "$replica"; wait "$replica" 2>/dev/null || true
    sleep 0.5
  done
done

ferry_java=$(sed -n 's/^ferry: java //p' "$work/m.log" 2>/dev/null || true)
echo "keys=$KEYS value=$VALUE_SIZE rounds=$ROUNDS writes_after_snapshot=$WRITES snapshot_mb=$snapshot_mb archive=$ARCHIVE ferry_java=${ferry_java:-see bin/ferry}"
echo "archive: bgsave to archived ${archive_ms} ms (upload and verify ${upload_ms} ms)"
for kind in bootstrap fullsync; do
  echo "$kind: replica up median $(echo "${join_ms[$kind]}" | tr ' ' '\n' | grep . | median) ms, master cpu median $(echo "${cpu_ms_of[$kind]}" | tr ' ' '\n' | grep . | median) ms, master full syncs ${full_of[$kind]}, master saves ${saves_of[$kind]}"
done
b=$(echo "${join_ms[bootstrap]}" | tr ' ' '\n' | grep . | median); f=$(echo "${join_ms[fullsync]}" | tr ' ' '\n' | grep . | median)
echo "bootstrap/fullsync time ratio=$(awk -v a="$b" -v b="$f" 'BEGIN { printf "%.2f", a / b }')"
