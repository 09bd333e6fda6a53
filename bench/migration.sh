#!/usr/bin/env bash
# The live-migration benchmark (BENCHMARKS.md, "Live migration"): a raw psql COPY pipe baseline, point-query
# p95 before/during, then a full v1 -> v2 migration on the local PostgreSQL (127.0.0.1:5432, user postgres).
#   bench/migration.sh                      # 4,000 creators, 200,000 payments
#   BENCH_OPTS="-Dbench.payments=50000" bench/migration.sh
#   BENCH_OPTS="-Dbench.afterEffective=true" bench/migration.sh   # migrate in the effective window (two-place reads)
#   BENCH_OPTS="-Dbench.writers=0 -Dbench.readers=0" bench/migration.sh   # idle, like for like with the pipe
# Before the timed migration, warm-up migrations run until the JIT has settled (at most -Dbench.warmUpRounds=6);
# the pipe runs -Dbench.pipeRuns=3 times and its median is the baseline.
# Result line: it/target/migration-bench.md (appended) and on stdout ("migration bench: ..."); the whole
# output in it/target/migration-bench.log.
set -euo pipefail
mkdir -p "$(dirname "$0")/../it/target"
cd "$(dirname "$0")/.."
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
mvn -B -q ${MVN_OFFLINE:--o} -pl it -am test -Dtest=MigrationBench -Dsurefire.failIfNoSpecifiedTests=false \
  ${BENCH_OPTS:-} > it/target/migration-bench.log 2>&1 || true
grep -E "migration bench:|ERROR|FAIL|WARN io.vshard" it/target/migration-bench.log || true
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
tail -n 1 it/target/migration-bench.md
