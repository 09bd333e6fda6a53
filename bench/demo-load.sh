#!/usr/bin/env bash
# The demo's bulk-load choices on H2 (bench/demo/H2LoadBench.java), CPU ratios against one transaction per table:
#   bench/demo-load.sh [rows]     # default 400,000 rows
# Uses the command-line jar (./vshard builds it) for H2. Prints the load average before and after.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=proxy-server/target/vshard-cli.jar
[[ -f $JAR ]] || { echo "build the jar first: ./vshard --help" >&2; exit 1; }
echo "load before: $(uptime)"
java -cp "$JAR" bench/demo/H2LoadBench.java "${1:-400000}"
echo "load after: $(uptime)"
