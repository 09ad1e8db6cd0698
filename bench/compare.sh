#!/usr/bin/env bash
# Ferry vs redis-server, same machine, same redis-benchmark, alternating runs; prints medians and ratios.
#
#   bench/compare.sh                 # 3 rounds, 200k requests per test
#   TESTS=lpush,lrange_100 bench/compare.sh     # redis-benchmark -t names
#   ROUNDS=5 REQUESTS=500000 REQUESTS_PIPELINED=2000000 bench/compare.sh
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/compare.sh
#   FERRY_JAVA_OPTS="-XX:+UseParallelGC" bench/compare.sh     # other GC flags than bin/ferry's
#
# Each round runs every (pipeline, test) pair once against each server, Ferry and Redis alternating, so
# that both see the same machine state. Ferry gets one untimed warm-up pass first (the JIT compiles the
# hot path), as a long-running server would have had.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
REQUESTS=${REQUESTS:-200000}
# A pipelined run of 200k simple commands lasts ~0.3 s, too short for a stable rate (cells swung by 20% between
# runs); pipelined runs take this many requests instead.
REQUESTS_PIPELINED=${REQUESTS_PIPELINED:-1000000}
CLIENTS=${CLIENTS:-50}
PIPELINES=${PIPELINES:-"1 16"}
TESTS=${TESTS:-"set,get,incr,mset,lpush,lpop,rpop,hset,sadd,spop,zadd,zpopmin,lrange_100,lrange_600"}
command -v redis-benchmark >/dev/null || { echo "redis-benchmark is missing: apt-get install -y redis-tools" >&2; exit 1; }
# Ferry runs through bin/ferry, the README's run command, with its flags (JAVA, FERRY_HEAP and
# FERRY_JAVA_OPTS override them there), so the ratios printed are the ones a user gets.
# shellcheck source=servers.sh
. bench/servers.sh

run() { # port pipeline -> "TEST rps" lines
  local n=$REQUESTS
  [ "$2" -gt 1 ] && n=$REQUESTS_PIPELINED
  # timeout: redis-benchmark spins forever at 100% CPU when the server is not there
  timeout 600 redis-benchmark -p "$1" -c "$CLIENTS" -n "$n" -P "$2" -t "$TESTS" -r 100000 --csv 2>/dev/null \
    | awk -F'","' 'NR>1 && !/needed to benchmark/ {gsub(/"/,"",$1); gsub(/"/,"",$2); split($1,a," "); print a[1], $2}'
}

echo "warming up Ferry..." >&2
for p in $PIPELINES; do run "$FERRY_PORT" "$p" >/dev/null; done

# the server that goes first alternates from round to round, so that a drift of the machine within a round (its
# speed swings for seconds at a time) favours neither
for r in $(seq "$ROUNDS"); do
  for p in $PIPELINES; do
    order="ferry redis"
    [ $((r % 2)) -eq 0 ] && order="redis ferry"
    for srv in $order; do
      port=$FERRY_PORT
      [ "$srv" = redis ] && port=$REDIS_PORT
      run "$port" "$p" | sed "s/^/$srv $p $r /" >>"$work/results"
    done
  done
  echo "round $r/$ROUNDS done" >&2
done

echo
echo "Ferry vs redis-server $redis_version, $CLIENTS clients, $REQUESTS requests ($REQUESTS_PIPELINED pipelined), medians of $ROUNDS runs"
echo "Ferry: java $ferry_java"
printf "%-12s %14s %14s %8s %10s\n" test "ferry rps" "redis rps" ratio "pair ratio"
# ratio: of the two medians; pair ratio: the median of each round's Ferry/Redis ratio (runs a few seconds apart)
awk '
  { key=$4" P"$2; v[$1,key,++n[$1,key]]=$5; at[$1,key,$3]=$5; keys[key]=1; if ($3 > rounds) rounds=$3 }
  function median(a,c,   i,j,t) {
    for(i=1;i<=c;i++) for(j=i+1;j<=c;j++) if(a[j]<a[i]) {t=a[i];a[i]=a[j];a[j]=t}
    return (c%2) ? a[(c+1)/2] : (a[c/2]+a[c/2+1])/2
  }
  function serverMedian(srv,k,   i,c,arr) { c=n[srv,k]; for(i=1;i<=c;i++) arr[i]=v[srv,k,i]; return median(arr,c) }
  function pairMedian(k,   r,c,arr) {
    c=0; for(r=1;r<=rounds;r++) if ((("ferry",k,r) in at) && (("redis",k,r) in at) && at["redis",k,r] > 0) arr[++c]=at["ferry",k,r]/at["redis",k,r]
    return c ? median(arr,c) : 0
  }
  END {
    for (k in keys) { f=serverMedian("ferry",k); r=serverMedian("redis",k); printf "%-12s %14.0f %14.0f %8.2f %10.2f\n", k, f, r, f/r, pairMedian(k) }
  }' "$work/results" | sort -k1,1 -k2,2
