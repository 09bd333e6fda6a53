#!/usr/bin/env bash
# pgbench -S (select-only), 8 clients, in -M prepared and -M simple: directly against PostgreSQL, through
# pgbouncer and through the vshard proxy, in one run; prints transactions per second and ratios to direct.
#   it/bench/pgbench-compare.sh   (DURATION=30 SCALE=10 ROUNDS=2 WARMUP=15 by default; PostgreSQL on 127.0.0.1:5432)
#   TARGETS=vshard,pgbouncer runs only those targets (ratios to a skipped target print as 0).
# Also prints the CPU time the pgbouncer and vshard processes used per transaction (from /proc/<pid>/stat), the
# figure to compare on a shared machine, where the tps of each 30 s slot depends on what else runs.
# Each target runs ROUNDS times, interleaved (direct, pgbouncer, vshard, direct, ...), and the mean is reported, so
# the load other processes put on a shared machine falls on all three alike. VSHARD_JAVA_OPTS go to the proxy JVM.
# The vshard proxy serves a configuration whose two data sources (the scenario manifest's db_a and db_b) are
# the benchmark database; the pgbench tables are unsharded, so statements go to the default shard through the
# router, and the proxy forwards those single-shard reads at the wire level.
# VSHARD_ALT_OPTS (for example -Dvshard.transport=io_uring, or -Dvshard.pg.multiplex=false) starts a second proxy JVM with those options on other
# ports and measures it as a fourth target, "alt", in the same interleaved rounds (TARGETS may name it).
# BACKEND_SOCKET=/var/run/postgresql/.s.PGSQL.5432 lets vshard (data source URLs with unixSocket=...) and pgbouncer
# reach PostgreSQL over its Unix socket; ALT_BACKEND_SOCKET does so for the "alt" proxy only (it starts the alt proxy
# on its own), to A/B the socket against TCP in the same rounds. The clients always use TCP 127.0.0.1.
# Build the jar first: mvn -B -o -pl proxy-server -am package -DskipTests (JAR=... runs another build)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="${JAR:-$ROOT/proxy-server/target/vshard-cli.jar}"
DURATION="${DURATION:-30}"
SCALE="${SCALE:-10}"
CLIENTS="${CLIENTS:-8}"
ROUNDS="${ROUNDS:-2}"
WARMUP="${WARMUP:-15}"
DB="vshard_bench_$$"
BIN=/usr/lib/postgresql/15/bin
PGBENCH="$BIN/pgbench"; [[ -x "$PGBENCH" ]] || PGBENCH=pgbench
PSQL="$BIN/psql"; [[ -x "$PSQL" ]] || PSQL=psql
PGB_PORT=6439
VS_PORT=7439
VS_HTTP=7089
ALT_PORT=7440
ALT_HTTP=7090
WORK="$(mktemp -d)"
chmod 755 "$WORK"
PIDS=()

cleanup() {
  if [[ -n "${KEEP_LOG:-}" ]]; then cp "$WORK/vshard.log" "$KEEP_LOG" 2>/dev/null || true; fi
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  "$PSQL" -X -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

[[ -f "$JAR" ]] || { echo "build the jar first: mvn -B -o -pl proxy-server -am package -DskipTests" >&2; exit 1; }
command -v pgbouncer >/dev/null 2>&1 || "$ROOT/scripts/ensure-services.sh"

"$PSQL" -X -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE $DB"
"$PGBENCH" -i -q -s "$SCALE" -h 127.0.0.1 -U postgres "$DB" >/dev/null 2>&1

PGB_HOST=127.0.0.1
[[ -n "${BACKEND_SOCKET:-}" ]] && PGB_HOST="$(dirname "$BACKEND_SOCKET")"
# pgbouncer: session pooling (1.18 cannot keep protocol-level prepared statements in transaction mode), as many server connections as clients; it refuses to run as root.
cat > "$WORK/pgbouncer.ini" <<INI
[databases]
$DB = host=$PGB_HOST port=5432 dbname=$DB user=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
unix_socket_dir =
auth_type = trust
auth_file = $WORK/userlist.txt
pool_mode = session
default_pool_size = $CLIENTS
max_client_conn = 100
logfile = $WORK/pgb/pgbouncer.log
pidfile = $WORK/pgb/pgbouncer.pid
INI
echo '"postgres" ""' > "$WORK/userlist.txt"
chmod 644 "$WORK"/*.ini "$WORK"/*.txt
mkdir -p "$WORK/pgb"
if [[ "$(id -u)" == 0 ]]; then
  chown postgres "$WORK/pgb"
  pgbouncer -u postgres "$WORK/pgbouncer.ini" >/dev/null 2>&1 & PIDS+=($!)
else
  pgbouncer "$WORK/pgbouncer.ini" >/dev/null 2>&1 & PIDS+=($!)
fi

# vshard: the scenario manifest places its shards on db_a and db_b; both are the benchmark database here.
mkdir -p "$WORK/scenario/manifests"
SOCKET_PARAM="${BACKEND_SOCKET:+?unixSocket=$BACKEND_SOCKET}"
cp "$ROOT/conf/scenario/manifests/v1.yaml" "$WORK/scenario/manifests/"
cp "$ROOT/conf/scenario/manifest-key.pub" "$WORK/scenario/"
cat > "$WORK/vshard.yaml" <<YAML
data_sources:
  db_a:
    url: "jdbc:postgresql://127.0.0.1:5432/$DB$SOCKET_PARAM"
    user: postgres
    max_pool_size: $CLIENTS
  db_b:
    url: "jdbc:postgresql://127.0.0.1:5432/$DB$SOCKET_PARAM"
    user: postgres
    max_pool_size: 2
default_shard:
  data_source: db_a
  schema: public
control_store:
  url: "jdbc:h2:mem:bench_control;DB_CLOSE_DELAY=-1"
manifests:
  - scenario/manifests/v1.yaml
trusted_keys:
  - scenario/manifest-key.pub
users:
  - name: postgres
    password: bench
    roles: [admin]
proxy:
  postgres_port: $VS_PORT
  http_port: $VS_HTTP
YAML
java ${VSHARD_JAVA_OPTS:-} -jar "$JAR" proxy --config "$WORK/vshard.yaml" > "$WORK/vshard.log" 2>&1 & PIDS+=($!)
ALT_PID=""
if [[ -n "${VSHARD_ALT_OPTS:-}${ALT_BACKEND_SOCKET:-}" ]]; then
  sed -e "s/postgres_port: $VS_PORT/postgres_port: $ALT_PORT/" -e "s/http_port: $VS_HTTP/http_port: $ALT_HTTP/" \
    -e "s|/$DB$SOCKET_PARAM\"|/$DB${ALT_BACKEND_SOCKET:+?unixSocket=$ALT_BACKEND_SOCKET}\"|" \
    "$WORK/vshard.yaml" > "$WORK/alt.yaml"
  java ${VSHARD_ALT_OPTS:-} -jar "$JAR" proxy --config "$WORK/alt.yaml" --mysql-port 0 > "$WORK/alt.log" 2>&1 & PIDS+=($!)
  ALT_PID=$!
fi
for port in $VS_PORT ${ALT_PID:+$ALT_PORT}; do
  for _ in $(seq 1 60); do
    PGPASSWORD=bench "$PSQL" -X -q -h 127.0.0.1 -p "$port" -U postgres -d "$DB" -c "SELECT 1" >/dev/null 2>&1 && break
    sleep 1
  done
done

cpu_ticks() { # pid: user + system CPU time of the process (all threads) in clock ticks
  [[ -n "$1" && -r /proc/$1/stat ]] || { echo 0; return; }
  sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}
TICKS="$(getconf CLK_TCK)"
PGB_PID="${PIDS[0]}"
VS_PID="${PIDS[1]}"

# run port mode seconds pid: one pgbench run; sets RUN_TPS, RUN_TXNS and RUN_CPU (CPU seconds of pid meanwhile)
run() {
  local out c0 c1
  c0=$(cpu_ticks "$4")
  out=$(PGPASSWORD=bench "$PGBENCH" -n -S -M "$2" -c "$CLIENTS" -j 2 -T "$3" -h 127.0.0.1 -p "$1" -U postgres "$DB" \
    2>>"$WORK/err" || true)
  c1=$(cpu_ticks "$4")
  RUN_TPS=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out" | head -1)
  RUN_TXNS=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out" | head -1)
  RUN_TPS=${RUN_TPS:-0}; RUN_TXNS=${RUN_TXNS:-0}
  RUN_CPU=$(echo "($c1 - $c0) / $TICKS" | bc -l)
}
wanted() { [[ ",${TARGETS:-direct,pgbouncer,vshard,alt}," == *",$1,"* ]] && [[ "$1" != alt || -n "$ALT_PID" ]]; }

# The proxy is a JVM: give its JIT the same warm start the other two have (not measured).
for mode in prepared simple; do
  run $VS_PORT "$mode" "$WARMUP" "$VS_PID"
  if [[ -n "$ALT_PID" ]]; then run $ALT_PORT "$mode" "$WARMUP" "$ALT_PID"; fi
done

echo "pgbench -n -S -c $CLIENTS -j 2 -T $DURATION, scale $SCALE, $ROUNDS interleaved rounds (mean tps); $(nproc) cores"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cpu us/txn: CPU time of the proxy process (all threads, user + system) per pgbench transaction"
[[ -n "$ALT_PID" ]] && echo "alt: a second vshard proxy with ${VSHARD_ALT_OPTS:-no options}, backend ${ALT_BACKEND_SOCKET:-TCP} (vshard: ${VSHARD_JAVA_OPTS:-no options}, backend ${BACKEND_SOCKET:-TCP})"
printf '%-9s %10s %10s %10s %8s %8s %12s %12s\n' mode direct pgbouncer vshard pgb/dir vsh/dir pgb-us/txn vsh-us/txn
for mode in prepared simple; do
  d=0; b=0; v=0; bt=0; bc=0; vt=0; vc=0; a=0; at=0; ac=0
  for _ in $(seq 1 "$ROUNDS"); do
    if wanted direct; then run 5432 "$mode" "$DURATION" ""; d=$(echo "$d + $RUN_TPS" | bc -l); fi
    if wanted pgbouncer; then
      run $PGB_PORT "$mode" "$DURATION" "$PGB_PID"
      b=$(echo "$b + $RUN_TPS" | bc -l); bt=$((bt + RUN_TXNS)); bc=$(echo "$bc + $RUN_CPU" | bc -l)
    fi
    if wanted vshard; then
      run $VS_PORT "$mode" "$DURATION" "$VS_PID"
      v=$(echo "$v + $RUN_TPS" | bc -l); vt=$((vt + RUN_TXNS)); vc=$(echo "$vc + $RUN_CPU" | bc -l)
    fi
    if wanted alt; then
      run $ALT_PORT "$mode" "$DURATION" "$ALT_PID"
      a=$(echo "$a + $RUN_TPS" | bc -l); at=$((at + RUN_TXNS)); ac=$(echo "$ac + $RUN_CPU" | bc -l)
    fi
  done
  d=$(echo "$d / $ROUNDS" | bc -l); b=$(echo "$b / $ROUNDS" | bc -l); v=$(echo "$v / $ROUNDS" | bc -l)
  printf '%-9s %10.0f %10.0f %10.0f %8.2f %8.2f %12.1f %12.1f\n' "$mode" "$d" "$b" "$v" \
    "$(echo "$b / ($d + 0.000001)" | bc -l)" "$(echo "$v / ($d + 0.000001)" | bc -l)" \
    "$(echo "$bc * 1000000 / ($bt + 0.000001)" | bc -l)" "$(echo "$vc * 1000000 / ($vt + 0.000001)" | bc -l)"
  if wanted alt; then
    a=$(echo "$a / $ROUNDS" | bc -l)
    printf '%-9s %10s %10s %10.0f %8s %8.2f %12s %12.1f   (alt)\n' "$mode" - - "$a" - \
      "$(echo "$a / ($d + 0.000001)" | bc -l)" - "$(echo "$ac * 1000000 / ($at + 0.000001)" | bc -l)"
  fi
done
[[ -s "$WORK/err" ]] && { echo "pgbench errors:"; sort "$WORK/err" | uniq -c | head -5; }
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
for http in $VS_HTTP ${ALT_PID:+$ALT_HTTP}; do
  echo "metrics of the proxy on http port $http:"
  curl -s "http://127.0.0.1:$http/metrics" \
    | grep -E '^vshard_(queries_total|pgwire_(direct|direct_undecoded|multiplexed)_statements_total|pgwire_shared_link_sends_total|pgwire_shared_links_retired_total)' || true
done
