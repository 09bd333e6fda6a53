#!/usr/bin/env bash
# Makes sure the servers the integration tests use are installed and running:
#   PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth) and MariaDB on 127.0.0.1:3306 (root, no password),
# plus the real clients the tests drive (psql, pgbench, mariadb) and headless Chromium for the dashboard test.
# Starts them if stopped; installs them with apt-get on Debian/Ubuntu if missing; explains what to do elsewhere.
set -euo pipefail

log() { echo "ensure-services: $*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; elif have sudo; then sudo "$@"; else "$@"; fi; }

apt_updated=0
apt_install() {
  if ! have apt-get; then
    log "cannot install $*: this is not a Debian/Ubuntu machine."
    log "Install PostgreSQL 15+ (trust auth for 127.0.0.1, user postgres) and MariaDB 10.11+ (root, empty password)"
    log "listening on 127.0.0.1:5432 and 127.0.0.1:3306, then run ./vshard test again."
    exit 1
  fi
  if [[ $apt_updated -eq 0 ]]; then
    as_root apt-get update -qq >/dev/null
    apt_updated=1
  fi
  log "installing $* ..."
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

pg_up() { have pg_isready && pg_isready -q -h 127.0.0.1 -p 5432; }
maria_up() {
  if have mariadb-admin; then mariadb-admin --protocol=tcp -h 127.0.0.1 -P 3306 -u root status >/dev/null 2>&1
  elif have mysqladmin; then mysqladmin --protocol=tcp -h 127.0.0.1 -P 3306 -u root status >/dev/null 2>&1
  else return 1; fi
}

# PostgreSQL
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt_install postgresql postgresql-contrib
  fresh_pg=1
else
  fresh_pg=0
fi
if ! pg_up; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  if [[ -z "$version" ]]; then
    log "PostgreSQL is installed but has no cluster under /etc/postgresql; create one with pg_createcluster"
    exit 1
  fi
  if [[ $fresh_pg -eq 1 ]]; then
    hba="/etc/postgresql/$version/main/pg_hba.conf"
    sed -i -E 's/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)\S+/\1trust/; s/^(host\s+all\s+all\s+::1\/128\s+)\S+/\1trust/' "$hba"
    sed -i -E 's/^(local\s+all\s+postgres\s+)\S+/\1trust/' "$hba"
  fi
  log "starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
pg_up || { log "PostgreSQL did not come up on 127.0.0.1:5432"; exit 1; }
have psql || apt_install postgresql-client
# pgbouncer: the baseline of the PostgreSQL proxy benchmark (it/bench/pgbench-compare.sh).
have pgbouncer || apt_install pgbouncer
psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1" >/dev/null || {
  log "cannot connect to PostgreSQL as postgres without a password; set trust auth for 127.0.0.1 in pg_hba.conf"
  exit 1
}
# Multi-database write transactions commit with PREPARE TRANSACTION, which needs max_prepared_transactions > 0;
# it takes effect only on restart, so change it once and restart the cluster.
if [[ $(psql -h 127.0.0.1 -U postgres -d postgres -tAc "SHOW max_prepared_transactions") == "0" ]]; then
  log "setting max_prepared_transactions = 64 on PostgreSQL (two-phase commit) and restarting it"
  psql -h 127.0.0.1 -U postgres -d postgres -qc "ALTER SYSTEM SET max_prepared_transactions = 64" >/dev/null
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main restart
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { log "PostgreSQL did not come back after the restart"; exit 1; }
fi
psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE test" >/dev/null

# MariaDB
if [[ ! -x /usr/sbin/mariadbd ]]; then
  apt_install mariadb-server mariadb-client
  fresh_maria=1
else
  fresh_maria=0
fi
if ! maria_up; then
  log "starting MariaDB"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  for _ in $(seq 1 30); do maria_up && break; sleep 1; done
fi
if ! maria_up && [[ $fresh_maria -eq 1 ]]; then
  # A fresh Debian install lets root in only through the unix socket: open TCP access without a password.
  as_root mariadb -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD(''); FLUSH PRIVILEGES;" || true
fi
maria_up || { log "MariaDB did not come up on 127.0.0.1:3306 for root with an empty password"; exit 1; }
have mariadb || have mysql || apt_install mariadb-client

# Real clients the integration tests drive.
have pgbench || ls /usr/lib/postgresql/*/bin/pgbench >/dev/null 2>&1 || apt_install postgresql-contrib
# sysbench drives the MySQL proxy's load tests (it/.../mysqlwire/SysbenchThroughProxyIT, bench/mysql-proxy.sh).
have sysbench || apt_install sysbench
# Headless Chromium drives the dashboard test (it/.../demo/DashboardChromiumIT).
have chromium || apt_install chromium
log "PostgreSQL and MariaDB are up"
