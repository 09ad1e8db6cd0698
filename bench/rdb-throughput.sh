#!/usr/bin/env bash
# MB/s of Ferry's RDB writer and reader on a ~1 GB file of mixed values, with and without LZF (the codec alone,
# no server): bench/rdb-throughput.sh   (JAVA=/path/to/java to choose the JVM)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -o test-compile 2>/dev/null || ./mvnw -B -q test-compile
cp=target/classes:target/test-classes:$(ls ~/.m2/repository/org/junit/jupiter/junit-jupiter-api/*/junit-jupiter-api-*.jar | head -1):$(ls ~/.m2/repository/org/opentest4j/opentest4j/*/opentest4j-*.jar | head -1)
"${JAVA:-java}" -cp "$cp" dev.ferry.rdb.RdbThroughput
