#!/usr/bin/env bash
# The stream archive's cost on a write-heavy load: SET throughput (redis-benchmark, 50 clients, pipeline 16,
# REQUESTS requests over KEYS keys of VALUE_SIZE B) on a Ferry master that archives its replication stream every
# second (the default, to a local file archive) and on the same master with ferry.archive.stream.interval=0,
# ROUNDS rounds each, alternating; prints the medians, their ratio (target: at most 5% slower), and what the
# archive stored.
#
#   bench/stream-archive.sh
#   ROUNDS=5 REQUESTS=4000000 bench/stream-archive.sh
#   ORDER="plain archived" bench/stream-archive.sh     # the other order within a round
set -euo pipefail
cd "$(dirname "$0")/.."

KEYS=${KEYS:-1000000}
VALUE_SIZE=${VALUE_SIZE:-100}
ROUNDS=${ROUNDS:-3}
REQUESTS=${REQUESTS:-2000000}
PORT=${PORT:-16379}
command -v redis-benchmark >/dev/null || { echo "redis-benchmark is missing: apt-get install -y redis-tools" >&2; exit 1; }
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests

work=$(mktemp -d)
pid=
stop() { [ -n "$pid" ] && { kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }; pid=; }
trap 'stop; rm -rf "$work"' EXIT
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
field() { redis-cli -p "$PORT" info archive | tr -d '\r' | sed -n "s/^$1://p"; }

declare -A rps
for round in $(seq "$ROUNDS"); do
  for kind in ${ORDER:-archived plain}; do
    rm -rf "$work/d"; mkdir -p "$work/d"
    interval=1s; [ "$kind" = plain ] && interval=0
    bin/ferry -Dferry.port="$PORT" -Dquarkus.http.port=0 -Dferry.dir="$work/d" -Dferry.save='""' \
      -Dferry.archive.stream.interval="$interval" >"$work/ferry.log" 2>&1 &
    pid=$!
    until redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG; do sleep 0.1; done
    r=$(redis-benchmark -p "$PORT" -t set -n "$REQUESTS" -r "$KEYS" -d "$VALUE_SIZE" -P 16 -q 2>/dev/null | tr '\r' '\n' \
      | sed -n 's/^SET: \([0-9.]*\) requests per second.*/\1/p' | tail -1)
    rps[$kind]+="$r "
    extra=""
    if [ "$kind" = archived ]; then
      sleep 2
      extra=", archived offset $(field archive_stream_offset) of $(redis-cli -p "$PORT" info replication | tr -d '\r' | sed -n 's/^master_repl_offset://p'), $(field archive_stream_segments_ok) segments, $(field archive_stream_bytes) bytes stored"
    fi
    echo "round $round $kind: $r SET/s$extra" >&2
    stop
  done
done
a=$(echo "${rps[archived]}" | tr ' ' '\n' | grep . | median); p=$(echo "${rps[plain]}" | tr ' ' '\n' | grep . | median)
ferry_java=$(sed -n 's/^ferry: java //p' "$work/ferry.log" 2>/dev/null || true)
echo "keys=$KEYS value=$VALUE_SIZE requests=$REQUESTS rounds=$ROUNDS ferry_java=${ferry_java:-see bin/ferry}"
echo "SET P16 with stream archive: median $a/s; without: median $p/s; ratio=$(awk -v a="$a" -v b="$p" 'BEGIN { printf "%.3f", a / b }')"
