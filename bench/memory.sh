#!/usr/bin/env bash
# Memory of Ferry vs redis-server for the same dataset: live heap after a full GC (jcmd GC.class_histogram,
# which collects first and then counts only reachable objects) against Redis's INFO used_memory.
#
#   bench/memory.sh            # both datasets: 1M hashes of 10 fields, one sorted set of 1M members
#   DATASETS=zset bench/memory.sh
#   HASHES=200000 bench/memory.sh
#
# Prints each server's total and its growth over the empty server (Ferry's empty heap holds Quarkus and the
# JIT's data; Redis's empty used_memory is ~1 MB), and the ratios of both.
set -euo pipefail
cd "$(dirname "$0")/.."

HASHES=${HASHES:-1000000}
ZSET_MEMBERS=${ZSET_MEMBERS:-1000000}
DATASETS=${DATASETS:-"hashes zset"}
# shellcheck source=servers.sh
. bench/servers.sh

ferry_bin=$(dirname "$(sed -n 's/^ferry: java [0-9]* at \([^ ]*\) .*/\1/p' "$work/ferry.log")")
jcmd="$ferry_bin/jcmd"
[ -x "$jcmd" ] || jcmd=jcmd

ferry_live() { "$jcmd" "$ferry_pid" GC.class_histogram | awk '/^Total/ {print $3}'; }
redis_used() { redis-cli -p "$REDIS_PORT" info memory | awk -F: '/^used_memory:/ {print $2+0}'; }

# RESP for redis-cli --pipe, generated once and sent to both servers
gen_hashes() {
  awk -v n="$HASHES" 'BEGIN {
    for (i = 0; i < n; i++) {
      printf "*22\r\n$4\r\nHSET\r\n$%d\r\nhash:%d\r\n", length("hash:" i), i
      for (f = 0; f < 10; f++) {
        v = "v" i "-" f
        printf "$7\r\nfield:%d\r\n$%d\r\n%s\r\n", f, length(v), v
      }
    }
  }'
}
gen_zset() {
  awk -v n="$ZSET_MEMBERS" 'BEGIN {
    srand(42)
    for (i = 0; i < n; i += 100) {
      c = (n - i < 100) ? n - i : 100
      printf "*%d\r\n$4\r\nZADD\r\n$4\r\nzset\r\n", 2 + 2 * c
      for (j = i; j < i + c; j++) {
        s = sprintf("%.6f", rand() * 1000000); m = "member:" j
        printf "$%d\r\n%s\r\n$%d\r\n%s\r\n", length(s), s, length(m), m
      }
    }
  }'
}

echo "Ferry: java $ferry_java"
echo "redis-server $redis_version"
printf "%-8s %12s %12s %12s %12s %8s %8s\n" dataset "ferry MB" "redis MB" "ferry +MB" "redis +MB" total growth
for d in $DATASETS; do
  redis-cli -p "$FERRY_PORT" flushall >/dev/null
  redis-cli -p "$REDIS_PORT" flushall >/dev/null
  f0=$(ferry_live); r0=$(redis_used)
  "gen_$d" >"$work/$d.resp"
  redis-cli -p "$FERRY_PORT" --pipe <"$work/$d.resp" >/dev/null
  redis-cli -p "$REDIS_PORT" --pipe <"$work/$d.resp" >/dev/null
  rm -f "$work/$d.resp"
  f1=$(ferry_live); r1=$(redis_used)
  awk -v d="$d" -v f0="$f0" -v f1="$f1" -v r0="$r0" -v r1="$r1" 'BEGIN {
    M = 1048576
    printf "%-8s %12.1f %12.1f %12.1f %12.1f %8.2f %8.2f\n", d, f1/M, r1/M, (f1-f0)/M, (r1-r0)/M, f1/r1, (f1-f0)/(r1-r0)
  }'
done
