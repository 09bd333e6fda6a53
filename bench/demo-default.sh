#!/usr/bin/env bash
# Times `./vshard demo --json` at the default scale (200,000 creators, 2,000,000 payments) and with a rollback
# at 40%, printing the report's last line, wall and CPU time, and the load average before and after.
#   bench/demo-default.sh [extra demo options]
set -euo pipefail
cd "$(dirname "$0")/.."
for extra in "" "--rollback-at 40"; do
  echo "load before: $(uptime)"
  # shellcheck disable=SC2086
  /usr/bin/time -f "wall %e s, CPU user %U s + sys %S s" ./vshard demo --fresh --http 0 --step-pause 0 --json \
      $extra "$@" | tail -n 1
  echo "load after: $(uptime)"
done
