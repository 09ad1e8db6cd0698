# Sourced by the bench scripts: starts Ferry (through bin/ferry, as a user runs it, so JAVA, FERRY_HEAP and
# FERRY_JAVA_OPTS apply) and redis-server side by side on this machine, waits until both answer, and stops
# both on exit. Sets FERRY_PORT, REDIS_PORT and work (a scratch directory, removed on exit).
FERRY_PORT=${FERRY_PORT:-16379}
REDIS_PORT=${REDIS_PORT:-16380}
command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install -y redis-server redis-tools" >&2; exit 1; }
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests

work=$(mktemp -d)
stop_servers() {
  [ -n "${ferry_pid:-}" ] && kill "$ferry_pid" 2>/dev/null || true
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop_servers EXIT

# no persistence on either: no save points (redis-server gets --save ""; a BGSAVE in the middle of a run would
# measure snapshots) and no archive on Ferry (ferry.archive.url=none: redis-server archives nothing, and
# bench/archive.sh and bench/stream-archive.sh measure the archive's cost on its own)
bin/ferry -Dferry.port="$FERRY_PORT" -Dquarkus.http.port=0 -Dferry.dir="$work" -Dferry.save='""' \
  -Dferry.archive.url=none >"$work/ferry.log" 2>&1 &
ferry_pid=$!
redis-server --port "$REDIS_PORT" --save "" --appendonly no --dir "$work" --daemonize yes >/dev/null
for port in "$FERRY_PORT" "$REDIS_PORT"; do
  for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.2; done
done
ferry_java=$(sed -n 's/^ferry: java //p' "$work/ferry.log")
redis_version=$(redis-server --version | awk '{print $3}' | cut -d= -f2)
