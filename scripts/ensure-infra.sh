#!/usr/bin/env bash
# Makes sure the local PostgreSQL, NATS JetStream and Redis answer at their default addresses,
# starting the Debian system installations that do not (as CI does on a fresh machine).
# Used by .ci/run and by the test suite's global setup; safe to run when everything is up.
# Usage: bash scripts/ensure-infra.sh        (INFRA_WAIT_SECONDS bounds each wait, default 60)
set -euo pipefail

wait_seconds="${INFRA_WAIT_SECONDS:-60}"

log() { printf 'ensure-infra: %s\n' "$*" >&2; }

postgres_answers() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -h 127.0.0.1 -p 5432 -U postgres -t 2 -q
  else
    timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/5432' 2>/dev/null
  fi
}

redis_answers() {
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(timeout 2 redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]
  else
    [ "$(timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379; printf "PING\r\n" >&3; head -c 5 <&3' 2>/dev/null)" = "+PONG" ]
  fi
}

# Speaks just enough of the NATS protocol to ask JetStream for the account info: a server without
# JetStream (or with a broken store) does not answer $JS.API.INFO, so an open port is not enough.
nats_jetstream_answers() {
  timeout 3 bash -c '
    exec 3<>/dev/tcp/127.0.0.1/4222 || exit 1
    IFS= read -r info <&3 || exit 1
    case "$info" in INFO*) ;; *) exit 1 ;; esac
    printf "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB _INBOX.ensureinfra 1\r\nPUB \$JS.API.INFO _INBOX.ensureinfra 0\r\n\r\n" >&3
    while IFS= read -r line <&3; do
      case "$line" in
        *account_info_response*) case "$line" in *\"error\"*) exit 1 ;; *) exit 0 ;; esac ;;
        PING*) printf "PONG\r\n" >&3 ;;
        -ERR*) exit 1 ;;
      esac
    done
    exit 1
  ' 2>/dev/null
}

start_postgres() {
  local versions version
  versions="$(ls /etc/postgresql 2>/dev/null || true)"
  if [ -z "$versions" ] || ! command -v pg_ctlcluster >/dev/null 2>&1; then
    log "PostgreSQL is not installed as a Debian cluster (apt-get install postgresql)"
    return 1
  fi
  # one cluster version is the normal case; with several, the newest is the one we use
  version="$(printf '%s\n' "$versions" | sort -V | tail -n 1)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
}

start_nats() {
  if [ ! -x /usr/sbin/nats-server ]; then
    log "nats-server is not installed (apt-get install nats-server)"
    return 1
  fi
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
}

start_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then
    log "redis-server is not installed (apt-get install redis-server)"
    return 1
  fi
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
}

# ensure NAME CHECK START LOGFILE: starts NAME when CHECK fails, then waits (bounded) for CHECK.
ensure() {
  local name="$1" check="$2" start="$3" logfile="$4"
  if "$check"; then
    log "$name answers"
    return 0
  fi
  log "$name does not answer; starting it"
  # a failed start (e.g. "already running" while still booting) is judged by the wait below
  "$start" || log "$name start command failed; waiting in case it is still coming up"
  local deadline=$((SECONDS + wait_seconds))
  until "$check"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "$name did not answer within ${wait_seconds}s"
      if [ -n "$logfile" ] && [ -r "$logfile" ]; then
        log "last lines of $logfile:"
        tail -n 20 "$logfile" >&2 || true
      fi
      return 1
    fi
    sleep 0.5
  done
  log "$name answers"
}

failed=0
pg_log="$(ls -t /var/log/postgresql/*.log 2>/dev/null | head -n 1 || true)"
ensure "PostgreSQL (127.0.0.1:5432)" postgres_answers start_postgres "$pg_log" || failed=1
ensure "NATS JetStream (127.0.0.1:4222)" nats_jetstream_answers start_nats /var/log/nats-server.log || failed=1
ensure "Redis (127.0.0.1:6379)" redis_answers start_redis /var/log/redis/ci.log || failed=1
if [ "$failed" -ne 0 ]; then
  log "infrastructure is not ready"
  exit 1
fi
