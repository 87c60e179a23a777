#!/usr/bin/env bash
# Runs the relay as a cluster on this machine, each role a process of its own, as in Azure: three silos (grains,
# reminders and delivery workers), two SMTP front-ends and one API node, on Azurite with Azure Table membership.
#   infra/cluster.sh start | stop | status
# Logs and pids go to .data/cluster/; the development tenant, operator key and certificate are infra/run.sh's (run
# one or the other: they share ports and data). stop sends SIGTERM, as an orchestrator does: front-ends drain, silos
# hand their grains and work over. Kill one with `kill -9 $(cat .data/cluster/silo2.pid)` to watch the rest go on.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dir=.data/cluster
host=src/Sendarix.Host/bin/Release/net10.0/Sendarix.Host.dll

# name, health URL port, then the node's settings as environment variables.
nodes=(
  "silo1 8031 Sendarix__Roles__Smtp=false Sendarix__Roles__Api=false Sendarix__Cluster__SiloPort=11111 Sendarix__Cluster__GatewayPort=30000"
  "silo2 8032 Sendarix__Roles__Smtp=false Sendarix__Roles__Api=false Sendarix__Cluster__SiloPort=11112 Sendarix__Cluster__GatewayPort=30001 Sendarix__Development__SeedTenant=false"
  "silo3 8033 Sendarix__Roles__Smtp=false Sendarix__Roles__Api=false Sendarix__Cluster__SiloPort=11113 Sendarix__Cluster__GatewayPort=30002 Sendarix__Development__SeedTenant=false"
  "smtp1 8041 Sendarix__Roles__Silo=false Sendarix__Roles__Api=false Sendarix__Smtp__StartTlsPort=2587 Sendarix__Smtp__ImplicitTlsPort=2465 Sendarix__Smtp__FeedbackPort=2525"
  "smtp2 8042 Sendarix__Roles__Silo=false Sendarix__Roles__Api=false Sendarix__Smtp__StartTlsPort=2588 Sendarix__Smtp__ImplicitTlsPort=2466 Sendarix__Smtp__FeedbackPort=2526 Sendarix__Smtp__SandboxPort=0"
  "api 8025 Sendarix__Roles__Silo=false Sendarix__Roles__Smtp=false"
)

field() { echo "$1" | cut -d' ' -f"$2"; }
running() { [ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }
ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/health/ready")" = 200 ]; }

launch() {
  local node=$1 name port settings
  name=$(field "$node" 1); port=$(field "$node" 2); settings=$(echo "$node" | cut -d' ' -f3-)
  if running "$name"; then echo "$name: already running (pid $(cat "$dir/$name.pid"))"; return; fi
  # shellcheck disable=SC2086 # the settings are words on purpose
  env $settings Sendarix__Api__Url="http://127.0.0.1:$port" nohup dotnet "$host" > "$dir/$name.log" 2>&1 &
  echo $! > "$dir/$name.pid"
}

await_ready() {
  local node name port
  for node in "$@"; do
    name=$(field "$node" 1); port=$(field "$node" 2)
    for _ in $(seq 1 1200); do
      ready "$port" && { echo "$name: ready (pid $(cat "$dir/$name.pid"), http://127.0.0.1:$port/health/ready)"; continue 2; }
      running "$name" || { echo "$name: exited before it was ready; its log:" >&2; tail -40 "$dir/$name.log" >&2; exit 1; }
      sleep 0.1
    done
    echo "$name: not ready within 120 s; see $dir/$name.log" >&2
    exit 1
  done
}

case "${1:-start}" in
start)
  command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (dotnet not found)." >&2; exit 1; }
  mkdir -p "$dir"
  infra/azurite.sh start
  export DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development
  dotnet build src/Sendarix.Host -c Release -v quiet -nologo
  # The first silo makes the membership table and the development tenant; the others join it; then the clients.
  launch "${nodes[0]}"; await_ready "${nodes[0]}"
  launch "${nodes[1]}"; launch "${nodes[2]}"; await_ready "${nodes[1]}" "${nodes[2]}"
  for node in "${nodes[@]:3}"; do launch "$node"; await_ready "$node"; done
  echo
  echo "Sendarix cluster is running (development): 3 silos, 2 SMTP front-ends, 1 API node."
  echo "  SMTP   127.0.0.1:2587 and 127.0.0.1:2588 (STARTTLS), 127.0.0.1:2465 and 127.0.0.1:2466 (TLS)"
  echo "  API    http://127.0.0.1:8025  (operator key in $root/.data/dev-operator-key)"
  [ -f .data/dev-tenant.json ] && echo "  tenant $(cat .data/dev-tenant.json)"
  echo "  logs   $dir/*.log; stop with: infra/cluster.sh stop"
  ;;
stop)
  # Clients first, silos last, each given time to drain.
  for ((i = ${#nodes[@]} - 1; i >= 0; i--)); do
    name=$(field "${nodes[$i]}" 1)
    running "$name" || continue
    pid=$(cat "$dir/$name.pid")
    kill -TERM "$pid"
    for _ in $(seq 1 900); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then echo "$name: still running after 90 s; killed"; kill -KILL "$pid"; else echo "$name: stopped"; fi
    rm -f "$dir/$name.pid"
  done
  ;;
status)
  for node in "${nodes[@]}"; do
    name=$(field "$node" 1); port=$(field "$node" 2)
    if ! running "$name"; then echo "$name: not running"
    elif ready "$port"; then echo "$name: ready (pid $(cat "$dir/$name.pid"))"
    else echo "$name: running, not ready (pid $(cat "$dir/$name.pid"))"; fi
  done
  ;;
*) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
