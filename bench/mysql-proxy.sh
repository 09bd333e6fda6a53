#!/usr/bin/env bash
# sysbench oltp_point_select directly against MariaDB and through the vshard MySQL proxy, in one run:
#   bench/mysql-proxy.sh                  # 8 threads, 30 s each, 10000 rows
#   THREADS=4 SECONDS_EACH=10 ROWS=20000 bench/mysql-proxy.sh
#   ENGINE_ONLY=0 bench/mysql-proxy.sh    # skip the third run (proxy with --no-mysql-relay)
#   WARMUP_EVENTS=400000 bench/mysql-proxy.sh  # point selects of warm-up through the proxy (default; at most 60 s)
#   PROXY_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/proxy.jfr" bench/mysql-proxy.sh   # JVM options
#   PROXY_JAVA_OPTS=-Dvshard.transport=nio bench/mysql-proxy.sh   # Java NIO instead of the native epoll transport
#   PROXY_JAVA_OPTS=-Dvshard.transport=io_uring bench/mysql-proxy.sh   # Linux io_uring instead of epoll
#   BACKEND_SOCKET=/run/mysqld/mysqld.sock bench/mysql-proxy.sh    # proxy -> MariaDB over its Unix socket
#                                         # (localSocket= in the data source URLs); sysbench still uses TCP
# Direct: one database holding sbtest1 (sysbench prepare). Proxy: the same rows in sbtest1 sharded by id over 8
# logical shards (databases) behind two data sources on the same server, routed by the engine; single-shard reads
# are relayed packet by packet. Needs MariaDB at 127.0.0.1:3306 (root, no password), sysbench and the mariadb
# client (scripts/ensure-services.sh installs them). Prints both rates, the ratio and the load average.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
THREADS=${THREADS:-8}
SECONDS_EACH=${SECONDS_EACH:-30}
ROWS=${ROWS:-10000}
PORT=${PORT:-17306}
JAR=${JAR:-"$ROOT/proxy-server/target/vshard-cli.jar"}   # JAR=/path/other.jar compares another build as is
ID="vbench_$$"
SOCKET_PARAM=${BACKEND_SOCKET:+localSocket=$BACKEND_SOCKET}
WORK=$(mktemp -d)
PROXY_PID=""

cleanup() {
  if [[ -n "$PROXY_PID" ]]; then kill "$PROXY_PID" 2>/dev/null || true; wait "$PROXY_PID" 2>/dev/null || true; fi
  mariadb -h 127.0.0.1 -P 3306 -u root -N -e "SELECT schema_name FROM information_schema.schemata
    WHERE schema_name LIKE '${ID}%'" 2>/dev/null | while read -r db; do
      mariadb -h 127.0.0.1 -P 3306 -u root -e "DROP DATABASE \`$db\`"; done
  rm -rf "$WORK"
}
trap cleanup EXIT

if [[ "$JAR" == "$ROOT/proxy-server/target/vshard-cli.jar" ]] && [[ ! -f "$JAR" || -n "$(find proxy-server/src driver/src sql-rewrite/src manifest/src -newer "$JAR" -type f -print -quit)" ]]; then
  mvn -B -q ${MVN_OFFLINE:--o} -pl proxy-server -am package -DskipTests
fi
cli() { java -jar "$JAR" "$@"; }

# The sharded fleet: a signed manifest (8 shards, mod_hash on the identity of id) and its configuration.
mkdir -p "$WORK/manifests"
cli manifest keygen --out="$WORK/key" >/dev/null
cat > "$WORK/manifests/v1.yaml" <<YAML
version: 1
shard_function:
  kind: mod_hash
  shards: 8
  hash: identity
placement:
  - shards: "0-3"
    data_source: my_a
    schema: "${ID}_s%03d"
  - shards: "4-7"
    data_source: my_b
    schema: "${ID}_s%03d"
YAML
cli manifest sign --key="$WORK/key.key" "$WORK/manifests/v1.yaml" >/dev/null
cat > "$WORK/vshard.yaml" <<YAML
data_sources:
  my_a:
    url: "jdbc:mariadb://127.0.0.1:3306/${SOCKET_PARAM:+?$SOCKET_PARAM}"
    user: root
    max_pool_size: 16
  my_b:
    url: "jdbc:mariadb://127.0.0.1:3306/?connectTimeout=2000${SOCKET_PARAM:+&$SOCKET_PARAM}"
    user: root
    max_pool_size: 16
default_shard:
  data_source: my_a
  schema: ${ID}_default
control_store:
  url: "jdbc:h2:mem:${ID}_control;DB_CLOSE_DELAY=-1"
manifests:
  - manifests/v1.yaml
trusted_keys:
  - key.pub
tables:
  sbtest1:
    kind: sharded
    creator_column: id
    primary_key: id
users:
  - name: bench
    password: bench
    roles: [admin]
YAML

start_proxy() { # extra proxy options...
  if [[ -n "$PROXY_PID" ]]; then kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null || true; PROXY_PID=""; fi
  java -Dorg.slf4j.simpleLogger.log.io.vshard.proxy.net.Transport=info ${PROXY_JAVA_OPTS:-} -jar "$JAR" proxy \
    --config "$WORK/vshard.yaml" --pg-port 0 --http-port 0 --mysql-port "$PORT" "$@" > "$WORK/proxy.log" 2>&1 &
  PROXY_PID=$!
  for _ in $(seq 1 120); do grep -q "MySQL protocol on port" "$WORK/proxy.log" && break; sleep 1; done
  grep -q "MySQL protocol on port" "$WORK/proxy.log" || { cat "$WORK/proxy.log"; exit 1; }
  sed -n 's/.*\(Netty transport: .*\)/proxy \1/p' "$WORK/proxy.log" >&2
}
start_proxy

SB_DIRECT=(--db-driver=mysql --mysql-host=127.0.0.1 --mysql-port=3306 --mysql-user=root --mysql-db="${ID}_direct"
  --tables=1 --table-size="$ROWS")
SB_PROXY=(--db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$PORT" --mysql-user=bench --mysql-password=bench
  --mysql-db=vshard --tables=1 --table-size="$ROWS")
my() { mariadb -h 127.0.0.1 -P "$1" -u "$2" ${3:+-p$3} "${@:4}"; }

echo "loading $ROWS rows directly and through the proxy ..."
my 3306 root "" -e "CREATE DATABASE ${ID}_direct"
sysbench oltp_point_select "${SB_DIRECT[@]}" prepare >/dev/null
# The same rows through the proxy, with their ids (a sharded table cannot share one AUTO_INCREMENT).
my "$PORT" bench bench vshard -e "CREATE TABLE sbtest1 (id INT NOT NULL, k INT NOT NULL DEFAULT 0,
  c CHAR(120) NOT NULL DEFAULT '', pad CHAR(60) NOT NULL DEFAULT '', PRIMARY KEY (id), KEY k_1 (k))"
my 3306 root "" -N -e "SELECT id, k, c, pad FROM ${ID}_direct.sbtest1 ORDER BY id" \
  | awk -F'\t' '{ row = sprintf("(%s,%s,\x27%s\x27,\x27%s\x27)", $1, $2, $3, $4);
                  batch = batch (n++ ? "," : "") row;
                  if (n == 500) { print "INSERT INTO sbtest1 (id,k,c,pad) VALUES " batch ";"; batch = ""; n = 0 } }
                END { if (n) print "INSERT INTO sbtest1 (id,k,c,pad) VALUES " batch ";" }' \
  | my "$PORT" bench bench vshard
loaded=$(my "$PORT" bench bench vshard -N -e "SELECT COUNT(*) FROM sbtest1")
[[ "$loaded" == "$ROWS" ]] || { echo "loaded $loaded rows through the proxy, expected $ROWS"; exit 1; }

# CPU time (user + system, clock ticks) the proxy process used so far.
proxy_ticks() { awk '{ print $14 + $15 }' "/proc/$PROXY_PID/stat"; }

run() { # name, sysbench options...
  local name=$1; shift
  local load; load=$(uptime | sed 's/.*load average: //')
  local ticks; ticks=$(proxy_ticks)
  local out; out=$(sysbench oltp_point_select "$@" --threads="$THREADS" --time="$SECONDS_EACH" run)
  ticks=$(( $(proxy_ticks) - ticks ))
  local qps; qps=$(echo "$out" | sed -n 's/.*queries: *[0-9]* *(\([0-9.]*\) per sec.*/\1/p')
  local errors; errors=$(echo "$out" | sed -n 's/.*ignored errors: *\([0-9]*\).*/\1/p')
  local p95; p95=$(echo "$out" | sed -n 's/.*95th percentile: *\([0-9.]*\).*/\1/p')
  # The proxy's CPU per query depends less on the machine's other load than the rates do.
  local cpu=""
  if [[ "$name" != direct ]]; then
    cpu=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v q="$qps" -v s="$SECONDS_EACH" \
      'BEGIN { printf "  proxy CPU %.1f us/query", t / hz * 1e6 / (q * s) }')
  fi
  printf "%-7s %10s qps  p95 %6s ms  errors %s%s  (load average before: %s)\n" "$name" "$qps" "$p95" "$errors" "$cpu" \
    "$load" >&2
  echo "$qps"
}

# Counted in queries (one point select per sysbench event), not seconds, so the JIT compiles the relay before the measured run
# even on a loaded machine (the compiler threads' CPU would otherwise count as the proxy's); at most 60 s.
WARMUP_EVENTS=${WARMUP_EVENTS:-400000}
warm_up() {
  sysbench oltp_point_select "${SB_PROXY[@]}" --threads="$THREADS" --time=60 --events="$WARMUP_EVENTS" run >/dev/null
}
echo "warm-up through the proxy ($WARMUP_EVENTS events or 60 s, not counted) ..."
warm_up
echo "sysbench oltp_point_select, $THREADS threads, $SECONDS_EACH s each, $ROWS rows:"
direct=$(run direct "${SB_DIRECT[@]}")
proxy=$(run proxy "${SB_PROXY[@]}")
if [[ "${ENGINE_ONLY:-1}" == 1 ]]; then
  # The same proxy with the relay off: every statement through the engine's JDBC session (the earlier design).
  start_proxy --no-mysql-relay
  warm_up
  engine=$(run engine "${SB_PROXY[@]}")
fi
awk -v p="$proxy" -v d="$direct" 'BEGIN { printf "proxy / direct = %.2fx\n", p / d }'
if [[ -n "${engine:-}" ]]; then
  awk -v e="$engine" -v d="$direct" 'BEGIN { printf "engine-only proxy / direct = %.2fx\n", e / d }'
fi
