# Sourced by the archive benches: sets archive_props to the -D options of the archive they use, in $work.
# ARCHIVE=file (default): a local directory; ARCHIVE=s3: s3proxy (target/s3proxy/s3proxy.jar, copied by the build) as its
# own JVM on port $1, reached through the S3 API as AWS would be; its pid is added to pids.
archive_target() {
  archive_props=(-Dferry.archive.url="file://$work/archive")
  [ "${ARCHIVE:-file}" = s3 ] || return 0
  local s3port=$1
  [ -f target/s3proxy/s3proxy.jar ] || ./mvnw -B -q process-test-resources
  mkdir -p "$work/s3/bench"
  printf '%s\n' "s3proxy.endpoint=http://127.0.0.1:$s3port" s3proxy.authorization=aws-v2-or-v4 s3proxy.identity=bench \
    s3proxy.credential=bench-secret jclouds.provider=filesystem-nio2 "jclouds.filesystem.basedir=$work/s3" \
    jclouds.identity=bench jclouds.credential=bench-secret >"$work/s3proxy.properties"
  java -Xmx512m -jar target/s3proxy/s3proxy.jar --properties "$work/s3proxy.properties" >"$work/s3proxy.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do (echo >/dev/tcp/127.0.0.1/$s3port) 2>/dev/null && break; sleep 0.1; done
  archive_props=(-Dferry.archive.url=s3://bench/tier -Dferry.archive.s3.endpoint="http://127.0.0.1:$s3port"
    -Dferry.archive.s3.region=us-east-1 -Daws.accessKeyId=bench -Daws.secretAccessKey=bench-secret)
}
