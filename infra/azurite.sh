#!/usr/bin/env bash
# Installs Azurite (npm, pinned in package-lock.json) and starts it on loopback, unless it already listens: the
# relay's account (blob, queue, table) and a table-only reporting account (search and statistics; see
# ReportingConnectionString in docs/architecture.md), each its own process as each is its own account in Azure.
#   infra/azurite.sh start | stop
# Environment: AZURITE_DIR (data folder, default .data/azurite), AZURITE_BLOB_PORT (default 10000; queue and
# table use the next two ports, the reporting account's table the port 12 above it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${AZURITE_DIR:-$root/.data/azurite}
blob=${AZURITE_BLOB_PORT:-10000}
queue=$((blob + 1))
table=$((blob + 2))
reporting=$((blob + 12))

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

case "${1:-start}" in
start)
  if listening "$blob" && listening "$queue" && listening "$table" && listening "$reporting"; then
    echo "azurite: already listening on 127.0.0.1:$blob-$table and $reporting"
    exit 0
  fi
  if [ ! -x "$root/node_modules/.bin/azurite" ]; then
    echo "azurite: installing (npm ci)"
    (cd "$root" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
  fi
  mkdir -p "$dir/reporting"
  if ! listening "$table"; then
    nohup "$root/node_modules/.bin/azurite" --silent --location "$dir" --disableTelemetry --skipApiVersionCheck \
      --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" \
      --tableHost 127.0.0.1 --tablePort "$table" > "$dir/azurite.log" 2>&1 &
    echo $! > "$dir/azurite.pid"
  fi
  if ! listening "$reporting"; then
    nohup "$root/node_modules/.bin/azurite-table" --silent --location "$dir/reporting" --disableTelemetry --skipApiVersionCheck \
      --tableHost 127.0.0.1 --tablePort "$reporting" > "$dir/reporting/azurite.log" 2>&1 &
    echo $! > "$dir/reporting/azurite.pid"
  fi
  for _ in $(seq 1 300); do
    if listening "$blob" && listening "$queue" && listening "$table" && listening "$reporting"; then
      echo "azurite: listening on 127.0.0.1:$blob-$table and $reporting (reporting), data in $dir"
      exit 0
    fi
    for log in "$dir" "$dir/reporting"; do
      if [ -f "$log/azurite.pid" ] && ! kill -0 "$(cat "$log/azurite.pid")" 2>/dev/null; then cat "$log/azurite.log" >&2; exit 1; fi
    done
    sleep 0.1
  done
  echo "azurite: did not start within 30 s" >&2
  exit 1
  ;;
stop)
  for pidfile in "$dir/azurite.pid" "$dir/reporting/azurite.pid"; do
    if [ -f "$pidfile" ]; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      # Azurite can linger after SIGTERM (writing its database out): wait for it, then make sure it is gone, so no
      # stopped instance goes on using memory and CPU beside the next one.
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$pidfile"
    fi
  done
  ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
