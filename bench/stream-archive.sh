#!/usr/bin/env bash
# The stream archive's cost on a write-heavy load: SET throughput (redis-benchmark, 50 clients, pipeline 16,
# REQUESTS requests over KEYS keys of VALUE_SIZE B) on a Ferry master that archives its replication stream every
# second (the default, to a local file archive) and on the same master with ferry.archive.stream.interval=0.
#
# Each of ROUNDS rounds starts a fresh pair of servers (which starts first alternates), warms each with one unmeasured
# pass (its JIT compiled, its KEYS keys created, so a measured pass neither compiles nor grows the table), then runs
# PASSES measured passes on each, alternating, one server loaded at a time. Fresh pairs, because two JVMs started
# alike differ by several percent for as long as they run (an A/A run of two plain servers kept in one pair gave
# 0.94): over rounds that difference averages out instead of deciding the ratio. Prints the medians over all
# passes and the median of the ratios of adjacent passes (target: at most 5% slower), the executing loop's and the archiving thread's CPU, and what the
# archive stored.
#
#   bench/stream-archive.sh
#   ROUNDS=9 PASSES=3 bench/stream-archive.sh
#   EXTRA=-Dferry.archive.stream.interval=0 bench/stream-archive.sh   # A/A: the "archived" server archives nothing
set -euo pipefail
cd "$(dirname "$0")/.."

KEYS=${KEYS:-1000000}
VALUE_SIZE=${VALUE_SIZE:-100}
ROUNDS=${ROUNDS:-6}
PASSES=${PASSES:-2}
REQUESTS=${REQUESTS:-2000000}
PORT=${PORT:-16379}
command -v redis-benchmark >/dev/null || { echo "redis-benchmark is missing: apt-get install -y redis-tools" >&2; exit 1; }
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests

work=$(mktemp -d)
pids=()
# (|| true: errexit holds in the trap too, and a failing kill would leave the rest running)
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
declare -A port
port[archived]=$PORT
port[plain]=$((PORT + 1))
field() { redis-cli -p "${port[archived]}" info "$1" | tr -d '\r' | sed -n "s/^$2://p"; }
# CPU ticks (user + system, 1/100 s) of the threads of server $1 (a pid) whose name starts with $2 (cut to 15 characters)
thread_ticks() {
  local t total=0
  for t in /proc/"$1"/task/*; do
    case "$(cat "$t/comm")" in "$2"*) ;; *) continue ;; esac
    read -r -a s < <(sed 's/.*) //' "$t/stat")
    total=$((total + s[11] + s[12]))
  done
  echo "$total"
}
set_pass() {
  redis-benchmark -p "$1" -t set -n "$REQUESTS" -r "$KEYS" -d "$VALUE_SIZE" -P 16 -q 2>/dev/null | tr '\r' '\n' \
    | sed -n 's/^SET: \([0-9.]*\) requests per second.*/\1/p' | tail -1
}

start_server() { # kind
  local kind=$1 interval=1s
  [ "$kind" = plain ] && interval=0
  rm -rf "${work:?}/$kind"; mkdir -p "$work/$kind"
  if redis-cli -p "${port[$kind]}" ping >/dev/null 2>&1; then echo "port ${port[$kind]} is taken: another server would be measured" >&2; exit 1; fi
  # shellcheck disable=SC2086
  bin/ferry -Dferry.port="${port[$kind]}" -Dquarkus.http.port=0 -Dferry.dir="$work/$kind" -Dferry.save='""' \
    -Dferry.archive.stream.interval="$interval" ${EXTRA:-} >"$work/$kind.log" 2>&1 &
  pid[$kind]=$!
  pids+=($!)
  until redis-cli -p "${port[$kind]}" ping 2>/dev/null | grep -q PONG; do sleep 0.1; done
}
stop_servers() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}

declare -A rps pid loop last
ticks=0 mb=0 ratios=""
for round in $(seq "$ROUNDS"); do
  order="archived plain"; [ $((round % 2)) = 0 ] && order="plain archived"
  for kind in $order; do
    start_server "$kind"
    echo "round $round: warm-up $kind: $(set_pass "${port[$kind]}") SET/s" >&2
  done
  sleep 3 # the archived server ships what its warm-up wrote
  for pass in $(seq "$PASSES"); do
    for kind in $order; do
      extra=""
      l0=$(thread_ticks "${pid[$kind]}" ferry-executing)
      if [ "$kind" = archived ]; then
        t0=$(thread_ticks "${pid[$kind]}" ferry-stream-ar); o0=$(field replication master_repl_offset)
      fi
      r=$(set_pass "${port[$kind]}")
      rps[$kind]+="$r "
      l1=$(thread_ticks "${pid[$kind]}" ferry-executing)
      loop[$kind]+="$((l1 - l0)) "
      # after every pass, both kinds alike: the archived server ships its last segments, and either JVM's work left
      # from the pass (a concurrent GC cycle) is done before the other server's pass (without this pause after
      # both kinds, an A/A run measured the server that came right after the other 17% slower)
      sleep 3
      if [ "$kind" = archived ]; then
        t1=$(thread_ticks "${pid[$kind]}" ferry-stream-ar); o1=$(field replication master_repl_offset)
        ticks=$((ticks + t1 - t0)); mb=$(awk -v a="$mb" -v d="$((o1 - o0))" 'BEGIN { print a + d / 1e6 }')
        extra=", archived offset $(field archive archive_stream_offset) of $o1, archiver CPU $(awk -v t="$((t1 - t0))" 'BEGIN { print t / 100 }') s for $(((o1 - o0) / 1000000)) MB"
      fi
      echo "round $round pass $pass $kind: $r SET/s, executing loop CPU $(awk -v t="$((l1 - l0))" 'BEGIN { print t / 100 }') s$extra" >&2
      last[$kind]=$r
    done
    ratios+="$(awk -v a="${last[archived]}" -v b="${last[plain]}" 'BEGIN { printf "%.4f", a / b }') "
  done
  stored="$(field archive archive_stream_segments_ok) segments, $(field archive archive_stream_bytes) bytes stored"
  ferry_java=$(sed -n 's/^ferry: java //p' "$work/archived.log" 2>/dev/null || true)
  stop_servers
done
a=$(echo "${rps[archived]}" | tr ' ' '\n' | grep . | median); p=$(echo "${rps[plain]}" | tr ' ' '\n' | grep . | median)
echo "keys=$KEYS value=$VALUE_SIZE requests=$REQUESTS rounds=$ROUNDS passes=$PASSES ferry_java=${ferry_java:-see bin/ferry}"
echo "archive (last round): $stored; archiver CPU $(awk -v t="$ticks" -v m="$mb" 'BEGIN { printf "%.2f ms per MB of stream", t * 10 / m }')"
la=$(echo "${loop[archived]}" | tr ' ' '\n' | grep . | median); lp=$(echo "${loop[plain]}" | tr ' ' '\n' | grep . | median)
echo "executing loop CPU per pass: median $(awk -v t="$la" 'BEGIN { print t / 100 }') s with the stream archive, $(awk -v t="$lp" 'BEGIN { print t / 100 }') s without"
echo "SET P16 with stream archive: median of $((ROUNDS * PASSES)) passes $a/s; without: median $p/s; ratio of the medians=$(awk -v a="$a" -v b="$p" 'BEGIN { printf "%.3f", a / b }')"
# The headline: this machine's speed drifts by tens of percent for seconds at a time (passes of one server alone went
# from 700k to 430k SET/s and back), so each archived pass is compared with the plain pass next to it in time, and
# the median of those ratios is what counts
echo "ratio (median of $((ROUNDS * PASSES)) adjacent pairs, archived/plain): $(echo "$ratios" | tr ' ' '\n' | grep . | median) (pairs: $ratios)"
