#!/usr/bin/env bash
# Installs Azurite (npm, pinned in package-lock.json) and starts it on loopback, unless it already listens.
#   infra/azurite.sh start | stop
# Environment: AZURITE_DIR (data folder, default .data/azurite), AZURITE_BLOB_PORT (default 10000; queue and
# table use the next two ports).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${AZURITE_DIR:-$root/.data/azurite}
blob=${AZURITE_BLOB_PORT:-10000}
queue=$((blob + 1))
table=$((blob + 2))

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

case "${1:-start}" in
start)
  if listening "$blob" && listening "$queue" && listening "$table"; then
    echo "azurite: already listening on 127.0.0.1:$blob-$table"
    exit 0
  fi
  if [ ! -x "$root/node_modules/.bin/azurite" ]; then
    echo "azurite: installing (npm ci)"
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  mkdir -p "$dir"
  nohup "$root/node_modules/.bin/azurite" --silent --location "$dir" --disableTelemetry --skipApiVersionCheck \
    --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" \
    --tableHost 127.0.0.1 --tablePort "$table" > "$dir/azurite.log" 2>&1 &
  echo $! > "$dir/azurite.pid"
  for _ in $(seq 1 300); do
    if listening "$blob" && listening "$queue" && listening "$table"; then
      echo "azurite: listening on 127.0.0.1:$blob-$table, data in $dir"
      exit 0
    fi
    kill -0 "$(cat "$dir/azurite.pid")" 2>/dev/null || { cat "$dir/azurite.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "azurite: did not start within 30 s" >&2
  exit 1
  ;;
stop)
  if [ -f "$dir/azurite.pid" ]; then
    pid=$(cat "$dir/azurite.pid")
    kill "$pid" 2>/dev/null || true
    # Azurite can linger after SIGTERM (writing its database out): wait for it, then make sure it is gone, so no
    # stopped instance goes on using memory and CPU beside the next one.
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$dir/azurite.pid"
  fi
  ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
