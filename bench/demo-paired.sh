#!/usr/bin/env bash
# Paired default-scale demo runs (200,000 creators, 2,000,000 payments) in one script: a baseline jar with its
# JVM options and the jar under test with its own, alternating (new, baseline, new); each run prints the step
# lines, the report's last line, wall and CPU time (/usr/bin/time), the load average before and after, and
# writes a GC log.
#   BASE_JAR=/tmp/main.jar BASE_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseParallelGC" \
#   NEW_JAR=proxy-server/target/vshard-cli.jar NEW_OPTS="-XX:+UseParallelGC -Xms4g -Xmn2g" \
#   flock /tmp/vshard-bench.lock bench/demo-paired.sh [out-dir]
set -euo pipefail
out="${1:-/tmp/vshard-demo-paired}"
mkdir -p "$out"
run() {
  local tag=$1 jar=$2 opts=$3
  {
    echo "== $tag: java $opts -jar $jar demo --data-dir $out/data --fresh --http 0 --json"
    echo "load before: $(uptime)"
    # shellcheck disable=SC2086
    /usr/bin/time -f "wall %e s, CPU user %U s + sys %S s" java $opts -Xlog:gc:file="$out/$tag.gc" -jar "$jar" \
        demo --data-dir "$out/data" --fresh --http 0 --json 2>&1 | grep -v '^v1->v2'
    echo "load after: $(uptime)"
  } > "$out/$tag.log" 2>&1
  grep -E "step [0-9]:|drained|wall|load" "$out/$tag.log"
  tail -n 4 "$out/$tag.log" | grep '^{' || true
}
run new-1 "${NEW_JAR:?}" "${NEW_OPTS:-}"
run baseline "${BASE_JAR:?}" "${BASE_OPTS:-}"
run new-2 "${NEW_JAR:?}" "${NEW_OPTS:-}"
