#!/usr/bin/env bash
# Default-scale demo runs, each started cold: it sleeps before each run so that a virtual machine has handed the
# memory the previous run freed back to its host (on Firecracker hosts touching it again costs seconds of system
# CPU, which back-to-back runs such as bench/demo-paired.sh never see). One run per JVM option set, in the order
# given; each prints the step 1 and step 5 lines, the migrator's rests, wall and CPU time, and its GC pauses.
#   JAR=proxy-server/target/vshard-cli.jar bench/demo-cold.sh /tmp/cold "-XX:+UseParallelGC -Xms8g -Xmn6g" \
#       "-XX:+UseParallelGC -Xms8g -Xmn2g -XX:MaxTenuringThreshold=1"
# IDLE (seconds, default 60) sets the sleep; DEMO_ARGS adds demo options (e.g. "--rollback-at 40").
set -euo pipefail
out="${1:?usage: bench/demo-cold.sh OUT-DIR JVM-OPTIONS...}"
shift
jar="${JAR:-proxy-server/target/vshard-cli.jar}"
mkdir -p "$out"
i=0
for opts in "$@"; do
  i=$((i + 1))
  sleep "${IDLE:-60}"
  {
    echo "== java $opts -jar $jar demo ${DEMO_ARGS:-}"
    # shellcheck disable=SC2086
    /usr/bin/time -f "wall %e s, CPU user %U s + sys %S s" java $opts -Xlog:gc:file="$out/$i.gc" -jar "$jar" \
        demo --data-dir "$out/data" --fresh --http 0 --json ${DEMO_ARGS:-} 2>&1 | grep -v '^v1->v2'
  } > "$out/$i.log" 2>&1
  echo "$i: $opts"
  grep -E "step 1:|step 5:|moved|wall" "$out/$i.log" || true
  grep -o '"elapsed_ms":[0-9]*' "$out/$i.log" || true
  awk '/Pause/ {v = $NF; sub("ms", "", v); v += 0; n++; s += v; if (v > m) m = v}
       END {printf "GC pauses %d, %.0f ms in all, longest %.0f ms\n", n, s, m}' "$out/$i.gc"
done
