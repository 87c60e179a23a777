#!/usr/bin/env bash
# Throughput of the SMTP tier with one front-end process against two, behind the same silo, and writes
# bench/results/frontends.md.
#   bench/frontends.sh
# Each run starts on fresh storage (its own Azurite on ports 10100-10102 and 10112), Postfix's smtp-sink as the
# destination (127.0.0.1:10027), one silo process (grains, delivery and the API on 18025) and one or two SMTP
# front-end processes (STARTTLS 12587 and 12588). The repository's load generator (bench/Sendarix.Bench) drives them:
# with two front-ends, two generators at once, each with half the connections, and their rates are added.
# Configurations alternate (1, 2, 2, 1, ...) so that a drift of the machine falls on both.
# Environment (defaults): FE_ROUNDS (2: each configuration is measured 2 times), FE_CONNECTIONS ("20 100"),
# FE_WARMUP (5), FE_SECONDS (20), FE_RESULTS (bench/results/frontends.md).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
rounds=${FE_ROUNDS:-2}
connections=${FE_CONNECTIONS:-20 100}
warmup=${FE_WARMUP:-5}
seconds=${FE_SECONDS:-20}
results=${FE_RESULTS:-$here/results/frontends.md}
work=/tmp/sendarix-frontends
host_dll="$root/src/Sendarix.Host/bin/Release/net10.0/Sendarix.Host.dll"
bench_dll="$root/bench/Sendarix.Bench/bin/Release/net10.0/Sendarix.Bench.dll"
api=http://127.0.0.1:18025
account="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

say() { echo "frontends: $*" >&2; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_until() { # seconds what command...
  local limit=$1 what=$2; shift 2
  for _ in $(seq 1 $((limit * 10))); do "$@" && return 0; sleep 0.1; done
  say "$what: not ready within $limit s"; return 1
}
ready() { [ "$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/health/ready")" = 200 ]; }
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<< "$1"; }

for port in 10100 10101 10102 10112 10027 12587 12588 18025 18026 18027 11211 30100; do
  listening "$port" && { say "port $port is in use; this benchmark needs it"; exit 1; }
done
command -v smtp-sink >/dev/null || { say "needs Postfix's smtp-sink (Debian package postfix)"; exit 1; }

say "building the relay and the load generator (Release)"
dotnet build "$root/src/Sendarix.Host" -c Release -v quiet -nologo >/dev/null
dotnet build "$root/bench/Sendarix.Bench" -c Release -v quiet -nologo >/dev/null

pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; kill -KILL "$pid" 2>/dev/null || true; done
  pids=()
  AZURITE_DIR="$work/azurite" AZURITE_BLOB_PORT=10100 "$root/infra/azurite.sh" stop >/dev/null 2>&1 || true
}
trap stop_all EXIT

node() { # name, then settings; the node's output goes to $work/$name.log
  local name=$1; shift
  (cd "$work" && exec env "$@" \
    Sendarix__Storage__ConnectionString="$account;BlobEndpoint=http://127.0.0.1:10100/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10101/devstoreaccount1;TableEndpoint=http://127.0.0.1:10102/devstoreaccount1;" \
    Sendarix__Storage__ReportingConnectionString="$account;TableEndpoint=http://127.0.0.1:10112/devstoreaccount1;" \
    Sendarix__Smtp__DevelopmentCertificatePath="$work/cert.pfx" Sendarix__Api__OperatorApiKey="$operator_key" \
    Sendarix__Domains__KeyEncryptionKey="$kek" Sendarix__Cluster__ClusterId=frontends \
    Sendarix__Cluster__SiloPort=11211 Sendarix__Cluster__GatewayPort=30100 \
    Sendarix__Delivery__Routes__0__Domain='*' Sendarix__Delivery__Routes__0__Hosts__0=127.0.0.1:10027 \
    Logging__LogLevel__Default=Warning DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production \
    dotnet "$host_dll") > "$work/$name.log" 2>&1 &
  pids+=($!)
}

declare -A rate p99 delivered
run_once() { # front-ends round
  local fes=$1 round=$2
  stop_all
  rm -rf "$work"; mkdir -p "$work"
  AZURITE_DIR="$work/azurite" AZURITE_BLOB_PORT=10100 "$root/infra/azurite.sh" start >/dev/null
  smtp-sink -c -u postfix 127.0.0.1:10027 1000 > "$work/sink.log" 2>&1 &
  pids+=($!)
  operator_key=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
  kek=$(head -c 32 /dev/urandom | base64)
  node silo Sendarix__Roles__Smtp=false Sendarix__Api__Url="$api"
  wait_until 120 "the silo" ready 18025
  for i in $(seq 1 "$fes"); do
    node "smtp$i" Sendarix__Roles__Silo=false Sendarix__Roles__Api=false Sendarix__Api__Url="http://127.0.0.1:$((18025 + i))" \
      Sendarix__Smtp__StartTlsPort=$((12586 + i)) Sendarix__Smtp__ImplicitTlsPort=$((12464 + i))
    wait_until 120 "front-end $i" ready $((18025 + i))
  done
  local auth=(-H "Authorization: Bearer $operator_key" -H 'Content-Type: application/json')
  local tenant user secret
  tenant=$(curl -sS --noproxy '*' "${auth[@]}" -d '{"name":"frontends"}' "$api/v1/tenants" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  curl -sS --noproxy '*' -o /dev/null "${auth[@]}" -X PATCH -d '{"allowUnverifiedSenders":true}' "$api/v1/tenants/$tenant"
  read -r user secret < <(curl -sS --noproxy '*' "${auth[@]}" -d '{}' "$api/v1/tenants/$tenant/credentials" \
    | python3 -c 'import json,sys; c=json.load(sys.stdin); print(c["username"], c["secret"])')
  for conns in $connections; do
    local share=$((conns / fes)) outs=()
    say "$fes front-end(s), $conns connections (round $round)"
    for i in $(seq 1 "$fes"); do
      # One generator counts the sink for both; the others only load.
      local sink=()
      [ "$i" = 1 ] && sink=(--sink-log "$work/sink.log" --drain-max 60 --drain-idle 5)
      dotnet "$bench_dll" 127.0.0.1 $((12586 + i)) "$user" "$secret" "$share" "$warmup" "$seconds" 2048 "${sink[@]}" \
        > "$work/bench-$fes-$conns-$i.out" 2> "$work/bench-$fes-$conns-$i.err" &
      outs+=($!)
    done
    for pid in "${outs[@]}"; do wait "$pid" || true; done
    local sum=0 worst=0 line
    for i in $(seq 1 "$fes"); do
      line=$(grep '^RESULT ' "$work/bench-$fes-$conns-$i.out" | tail -n 1 || true)
      [ -n "$line" ] || { say "no result from generator $i"; cat "$work/bench-$fes-$conns-$i.err" >&2; continue; }
      say "  generator $i: $line"
      sum=$(awk -v a="$sum" -v b="$(field "$line" rate)" 'BEGIN { print a + b }')
      worst=$(awk -v a="$worst" -v b="$(field "$line" p99_ms)" 'BEGIN { print (b > a ? b : a) }')
      [ "$i" = 1 ] && delivered[$fes,$conns,$round]=$(field "$line" e2e_rate)
    done
    rate[$fes,$conns,$round]=$sum
    p99[$fes,$conns,$round]=$worst
  done
}

order=()
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then order+=("1 $r" "2 $r"); else order+=("2 $r" "1 $r"); fi
done
for item in "${order[@]}"; do run_once $item; done
stop_all

{
  echo "# SMTP front-ends: one process against two"
  echo
  echo "\`bench/frontends.sh\` on $(date -u +%Y-%m-%d) at $(git -C "$root" rev-parse --short HEAD), $(nproc) cores: one silo process (grains, delivery, API) and one or two"
  echo "front-end processes, fresh Azurite each run, Postfix's smtp-sink as the destination, ${seconds} s measured after ${warmup} s"
  echo "of warm-up, 2 KB messages over STARTTLS + AUTH; with two front-ends, each takes half the connections."
  echo
  echo "| front-ends | connections | round | accepted msg/s | worst p99 ms | delivered msg/s |"
  echo "|---|---|---|---|---|---|"
  for conns in $connections; do
    for r in $(seq 1 "$rounds"); do
      for fes in 1 2; do
        echo "| $fes | $conns | $r | ${rate[$fes,$conns,$r]:-} | ${p99[$fes,$conns,$r]:-} | ${delivered[$fes,$conns,$r]:-} |"
      done
    done
  done
  echo
  for conns in $connections; do
    mean1=$(for r in $(seq 1 "$rounds"); do echo "${rate[1,$conns,$r]:-0}"; done | awk '{ s += $1 } END { print s / NR }')
    mean2=$(for r in $(seq 1 "$rounds"); do echo "${rate[2,$conns,$r]:-0}"; done | awk '{ s += $1 } END { print s / NR }')
    awk -v c="$conns" -v a="$mean1" -v b="$mean2" 'BEGIN { printf "- %s connections: %.1f msg/s with one front-end, %.1f with two (%.2fx)\n", c, a, b, (a > 0 ? b / a : 0) }'
  done
} > "$results"
cat "$results"
