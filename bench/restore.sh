#!/usr/bin/env bash
# Point-in-time restore from the archive: a master holding KEYS keys x VALUE_SIZE B archives a snapshot, then
# writes STREAM_MB of replication stream (redis-benchmark SETs over the same keys) that the stream archive
# ships in segments; then, ROUNDS times, a new server on an empty dir restores to the master's last offset
# (ferry.archive.restore-to=<replid>:<offset>), timed from its launch to bootstrap_state:done, and its DEBUG DIGEST
# is compared with the master's. ARCHIVE=file (default) or s3 (s3proxy, as bench/archive.sh). Prints medians.
#
#   bench/restore.sh
#   STREAM_MB=100 ROUNDS=3 bench/restore.sh
set -euo pipefail
cd "$(dirname "$0")/.."

KEYS=${KEYS:-1000000}
VALUE_SIZE=${VALUE_SIZE:-100}
STREAM_MB=${STREAM_MB:-100}
ROUNDS=${ROUNDS:-3}
MASTER_PORT=${MASTER_PORT:-16379}
RESTORE_PORT=${RESTORE_PORT:-16380}
command -v redis-benchmark >/dev/null || { echo "redis-benchmark is missing: apt-get install -y redis-tools" >&2; exit 1; }
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
now_ms() { date +%s%3N; }
field() { redis-cli -p "$1" info everything 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

mkdir -p "$work/m"
. bench/lib/archive-target.sh
archive_target $((MASTER_PORT + 2))
bin/ferry -Dferry.port="$MASTER_PORT" -Dquarkus.http.port=0 -Dferry.dir="$work/m" -Dferry.save='""' \
  -Dferry.enable-debug-command=local "${archive_props[@]}" >"$work/m.log" 2>&1 &
pids+=($!)
until redis-cli -p "$MASTER_PORT" ping 2>/dev/null | grep -q PONG; do sleep 0.1; done
awk -v n="$KEYS" -v size="$VALUE_SIZE" 'BEGIN { v = sprintf("%" size "s", ""); gsub(/ /, "x", v)
  for (i = 0; i < n; i++) { k = sprintf("key:%012d", i); printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, size, v } }' \
  | redis-cli -p "$MASTER_PORT" --pipe >/dev/null
redis-cli -p "$MASTER_PORT" bgsave >/dev/null
until [ "$(field "$MASTER_PORT" archive_uploads_ok)" = 1 ]; do sleep 0.1; done
snapshot_offset=$(field "$MASTER_PORT" master_repl_offset)
# a SET of redis-benchmark in the stream: *3, $3 SET, $16 and its 16-byte key, $<size> and the value: 44 B + the value
requests=$(( STREAM_MB * 1000000 / (44 + VALUE_SIZE) ))
redis-benchmark -p "$MASTER_PORT" -t set -n "$requests" -r "$KEYS" -d "$VALUE_SIZE" -P 16 -q >/dev/null 2>&1
offset=$(field "$MASTER_PORT" master_repl_offset)
until [ "$(field "$MASTER_PORT" archive_stream_offset)" = "$offset" ]; do sleep 0.1; done
replid=$(field "$MASTER_PORT" master_replid)
digest=$(redis-cli -p "$MASTER_PORT" debug digest)
stream_mb=$(awk -v a="$offset" -v b="$snapshot_offset" 'BEGIN { printf "%.1f", (a - b) / 1e6 }')

times=""
for round in $(seq "$ROUNDS"); do
  rm -rf "$work/r"; mkdir -p "$work/r"
  start=$(now_ms)
  bin/ferry -Dferry.port="$RESTORE_PORT" -Dquarkus.http.port=0 -Dferry.dir="$work/r" -Dferry.save='""' \
    -Dferry.enable-debug-command=local "${archive_props[@]}" -Dferry.archive.restore-to="$replid:$offset" >"$work/r.log" 2>&1 &
  r=$!; pids+=($r)
  until [ "$(field "$RESTORE_PORT" bootstrap_state)" = done ]; do sleep 0.05; done
  ms=$(( $(now_ms) - start ))
  got=$(redis-cli -p "$RESTORE_PORT" debug digest)
  [ "$got" = "$digest" ] || { echo "round $round: digest $got, the master's $digest" >&2; cp "$work/r.log" /tmp/ferry-restore-bench.log; exit 1; }
  echo "round $round: restored $KEYS keys + $stream_mb MB of stream in $ms ms, digest equal" >&2
  grep -E "replayed the archived stream|DB loaded" "$work/r.log" | sed 's/^/  /' >&2 || true
  times+="$ms "
  kill -9 "$r"; wait "$r" 2>/dev/null || true
done
echo "keys=$KEYS value=$VALUE_SIZE stream_mb=$stream_mb archive=${ARCHIVE:-file} rounds=$ROUNDS"
echo "restore (launch to bootstrap_state:done, JVM start included): median $(echo "$times" | tr ' ' '\n' | grep . | median) ms"
