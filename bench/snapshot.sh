#!/usr/bin/env bash
# Snapshots, Ferry vs redis-server on the same machine: 1M keys x 100 B (KEYS, VALUE_SIZE), ROUNDS rounds each,
# Ferry and Redis alternating; prints medians and ratios of
#   - BGSAVE time (BGSAVE until rdb_bgsave_in_progress:0, polled every 10 ms) and the RDB file size;
#   - load time at start-up: what each server logs ("DB loaded from disk: N seconds"), and the time from
#     starting the process until it answers DBSIZE with every key (ready_ms: a JVM's start is in it);
#   - SET p99 and max latency (redis-benchmark, 50 clients, 100-byte values) while BGSAVEs run back to back,
#     and idle;
#   - the snapshot's extra memory while SETs rewrite about half the keys during a BGSAVE: Redis's
#     rdb_last_cow_size (its fork's copy-on-write) and Ferry's rdb_last_cow_size (the peak of captured values
#     not yet written), each as a share of used_memory_dataset / used_memory.
#
#   bench/snapshot.sh
#   KEYS=200000 ROUNDS=3 bench/snapshot.sh
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/snapshot.sh
set -euo pipefail
cd "$(dirname "$0")/.."

KEYS=${KEYS:-1000000}
VALUE_SIZE=${VALUE_SIZE:-100}
ROUNDS=${ROUNDS:-3}
LATENCY_REQUESTS=${LATENCY_REQUESTS:-300000}
FERRY_PORT=${FERRY_PORT:-16379}
REDIS_PORT=${REDIS_PORT:-16380}
command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install -y redis-server redis-tools" >&2; exit 1; }
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests

work=$(mktemp -d)
mkdir -p "$work/ferry" "$work/redis"
ferry_pid=""
stop_all() {
  [ -n "$ferry_pid" ] && kill -9 "$ferry_pid" 2>/dev/null || true
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}

# no archive (ferry.archive.url=none), as redis-server has none: with the embedded default every BGSAVE would be
# copied to a local archive and every SET shipped by the stream archive while latency is measured
start_ferry() {
  bin/ferry -Dferry.port="$FERRY_PORT" -Dquarkus.http.port=0 -Dferry.dir="$work/ferry" -Dferry.save='""' \
    -Dferry.archive.url=none >"$work/ferry.log" 2>&1 &
  ferry_pid=$!
}
start_redis() {
  redis-server --port "$REDIS_PORT" --save "" --appendonly no --dir "$work/redis" --daemonize yes \
    --logfile "$work/redis.log" >/dev/null
}
stop_ferry() { kill -9 "$ferry_pid" 2>/dev/null || true; wait "$ferry_pid" 2>/dev/null || true; ferry_pid=""; }
# no "Killed" line from bash when the last Ferry is stopped with kill -9
trap 'stop_ferry; stop_all; rm -rf "$work"' EXIT
stop_redis() { redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; sleep 0.3; }
now_ms() { date +%s%3N; }
# waits until the server answers DBSIZE with $2 (the load is over); prints the ms since $3
await_keys() {
  local port=$1 want=$2 since=$3
  while true; do
    n=$(redis-cli -p "$port" dbsize 2>/dev/null || true)
    [ "$n" = "$want" ] && break
    sleep 0.01
  done
  echo $(( $(now_ms) - since ))
}
loaded_ms() { sed -n 's/.*DB loaded from disk: \([0-9.]*\) seconds.*/\1/p' "$1" | tail -1 | awk '{ printf "%.0f", $1 * 1000 }'; }
info() { redis-cli -p "$1" info persistence | tr -d '\r' | sed -n "s/^$2://p"; }
memory() { redis-cli -p "$1" info memory | tr -d '\r' | sed -n "s/^$2://p"; }

populate() { # port: KEYS keys named as redis-benchmark names them (key:%012d), values of VALUE_SIZE bytes
  awk -v n="$KEYS" -v size="$VALUE_SIZE" 'BEGIN {
      v = sprintf("%*s", size, ""); gsub(/ /, "x", v)
      for (i = 0; i < n; i++) { k = sprintf("key:%012d", i); printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, size, v }
    }' | redis-cli -p "$1" --pipe >/dev/null
}

bgsave_ms() { # port: one BGSAVE, start to end
  local t0
  t0=$(now_ms)
  redis-cli -p "$1" bgsave >/dev/null
  sleep 0.01
  while [ "$(info "$1" rdb_bgsave_in_progress)" = "1" ]; do sleep 0.01; done
  echo $(( $(now_ms) - t0 ))
  [ "$(info "$1" rdb_last_bgsave_status)" = "ok" ] || { echo "BGSAVE failed on port $1" >&2; exit 1; }
}

latency() { # port -> "p99 max" in ms of SET, 50 clients
  redis-benchmark -p "$1" -c 50 -n "$LATENCY_REQUESTS" -t set -r "$KEYS" -d "$VALUE_SIZE" --csv 2>/dev/null \
    | awk -F'","' 'NR == 2 { gsub(/"/, "", $7); gsub(/"/, "", $8); print $7, $8 }'
}

# BGSAVE again as soon as the last one ended: one redis-cli on one connection sends BGSAVE every 50 ms (the
# server answers "already in progress" meanwhile). A shell loop polling INFO would fork several processes every
# few ms, and on 2 cores that load, not the save, decided the p99 of both servers.
bgsave_loop() { # port
  exec redis-cli -p "$1" -r -1 -i 0.05 bgsave >/dev/null 2>&1
}

results="$work/results"
start_ferry
start_redis
for port in "$FERRY_PORT" "$REDIS_PORT"; do
  for _ in $(seq 300); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.2; done
done
ferry_java=$(sed -n 's/^ferry: java //p' "$work/ferry.log")
echo "populating $KEYS keys x $VALUE_SIZE B on both..." >&2
populate "$FERRY_PORT"
populate "$REDIS_PORT"

for r in $(seq "$ROUNDS"); do
  for srv in ferry redis; do
    port=$FERRY_PORT; [ $srv = redis ] && port=$REDIS_PORT
    echo "$srv bgsave_ms $(bgsave_ms "$port")" >>"$results"
    read -r p99 max < <(latency "$port")
    echo "$srv idle_p99_ms $p99" >>"$results"
    echo "$srv idle_max_ms $max" >>"$results"
    saves0=$(info "$port" rdb_saves)
    bgsave_loop "$port" &
    loop=$!
    read -r p99 max < <(latency "$port")
    kill "$loop"
    wait "$loop" 2>/dev/null || true
    echo "$srv saves_during_latency $(( $(info "$port" rdb_saves) - saves0 ))" >>"$results"
    while [ "$(info "$port" rdb_bgsave_in_progress)" = "1" ]; do sleep 0.01; done
    echo "$srv bgsave_p99_ms $p99" >>"$results"
    echo "$srv bgsave_max_ms $max" >>"$results"
    # extra memory: rewrite about half the keys while one BGSAVE runs
    redis-cli -p "$port" bgsave >/dev/null
    redis-benchmark -p "$port" -c 50 -n $((KEYS / 2)) -t set -r "$KEYS" -d "$VALUE_SIZE" -q >/dev/null 2>&1
    while [ "$(info "$port" rdb_bgsave_in_progress)" = "1" ]; do sleep 0.01; done
    cow=$(info "$port" rdb_last_cow_size)
    dataset=$(memory "$port" used_memory_dataset)
    [ -z "$dataset" ] && dataset=$(memory "$port" used_memory)
    echo "$srv extra_mem_pct $(awk -v c="$cow" -v d="$dataset" 'BEGIN { printf "%.1f", 100 * c / d }')" >>"$results"
  done
  echo "round $r/$ROUNDS done" >&2
done

ferry_rdb=$(stat -c %s "$work/ferry/dump.rdb")
redis_rdb=$(stat -c %s "$work/redis/dump.rdb")
# load at start-up: both restarted on their own files, alternating
for r in $(seq "$ROUNDS"); do
  stop_ferry
  t0=$(now_ms); start_ferry
  for _ in $(seq 3000); do redis-cli -p "$FERRY_PORT" ping >/dev/null 2>&1 && break; sleep 0.01; done
  echo "ferry ready_ms $(await_keys "$FERRY_PORT" "$KEYS" "$t0")" >>"$results"
  echo "ferry load_ms $(loaded_ms "$work/ferry.log")" >>"$results"
  stop_redis
  : >"$work/redis.log"
  t0=$(now_ms); start_redis
  echo "redis ready_ms $(await_keys "$REDIS_PORT" "$KEYS" "$t0")" >>"$results"
  echo "redis load_ms $(loaded_ms "$work/redis.log")" >>"$results"
done

echo
echo "Snapshots: Ferry vs redis-server $(redis-server --version | awk '{print $3}' | cut -d= -f2), $KEYS keys x $VALUE_SIZE B, medians of $ROUNDS"
echo "Ferry: java $ferry_java"
printf "%-16s %12s %12s %8s\n" measure ferry redis ratio
awk '
  { v[$1,$2,++n[$1,$2]] = $3; names[$2] = 1 }
  function median(s, k,   i, j, t, c, a) {
    c = n[s,k]; for (i = 1; i <= c; i++) a[i] = v[s,k,i]
    for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (c % 2) ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
  }
  END { for (k in names) { f = median("ferry", k); r = median("redis", k); printf "%-16s %12.2f %12.2f %8.2f\n", k, f, r, (r > 0 ? f / r : 0) } }
' "$results" | sort
printf "%-16s %12d %12d %8.2f\n" rdb_bytes "$ferry_rdb" "$redis_rdb" "$(awk -v f="$ferry_rdb" -v r="$redis_rdb" 'BEGIN { print f / r }')"
echo "p99/max during BGSAVE vs idle, per server: see *_p99_ms and *_max_ms (target: Ferry bgsave_p99 <= 1.5x its idle_p99)"
