#!/usr/bin/env bash
# Builds the self-contained driver jar and the benchmarks, then runs them all (about 10 minutes):
#   bench/run.sh                 # paired blocks + JMH driver (point select, insert; 1 and 8 threads) + fan-out
#   bench/run.sh paired          # only the paired ratios;  bench/run.sh driver  # only JMH;  bench/run.sh fanout
# Extra JVM properties go in BENCH_OPTS, e.g. BENCH_OPTS="-Dbench.stack=true -Dbench.backends=h2".
# Needs the local PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth). Results: bench/target/bench-results.md
set -euo pipefail
cd "$(dirname "$0")/.."
MVN="mvn -B -q ${MVN_OFFLINE:--o}"
# One reactor, nothing installed: ~/.m2 is shared, and the shaded jar is taken from driver/target below.
$MVN -Pbench -pl driver,bench -am package -DskipTests \
  org.apache.maven.plugins:maven-dependency-plugin:3.6.1:build-classpath -DexcludeArtifactIds=vshard-driver \
  -Dmdep.outputFile=target/bench.classpath
shaded=$(ls driver/target/vshard-driver-*-all.jar)
cd bench
# The shaded jar from this tree comes first: the point is to measure what a user drops on the class path.
exec java ${BENCH_OPTS:-} -cp "../$shaded:target/classes:$(cat target/bench.classpath)" io.vshard.bench.BenchRunner "$@"
