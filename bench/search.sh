#!/usr/bin/env bash
# Message search at scale: a fresh Azurite, the relay (Release), one tenant with BENCH_SEARCH_MESSAGES messages (200,000)
# seeded straight into storage through the relay's own storage code, then BENCH_SEARCH_QUERIES (200) searches of each
# kind through the API, one at a time, timed from request to the first page (50 messages). Writes
# bench/results/search.md.
#   bench/search.sh
# Environment: BENCH_SEARCH_MESSAGES (200000), BENCH_SEARCH_QUERIES (200), BENCH_SEARCH_DAYS (30: the seeded
# messages are spread over this many days), BENCH_RESULTS (bench/results/search.md).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
messages=${BENCH_SEARCH_MESSAGES:-200000}
queries=${BENCH_SEARCH_QUERIES:-200}
days=${BENCH_SEARCH_DAYS:-30}
results=${BENCH_RESULTS:-$here/results/search.md}
work=/tmp/sendarix-search-bench
run="$work/run-$$"
export AZURITE_DIR="$work/azurite-$$" AZURITE_BLOB_PORT=10100
api="http://127.0.0.1:18025"
connection="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10100/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10101/devstoreaccount1;TableEndpoint=http://127.0.0.1:10102/devstoreaccount1;"
# Search and statistics in their own account, as infra/azurite.sh runs it (and the seeder reads the same variable).
export Sendarix__Storage__ReportingConnectionString="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:10112/devstoreaccount1;"
host_dll="$root/src/Sendarix.Host/bin/Release/net10.0/Sendarix.Host.dll"
bench_dll="$here/Sendarix.SearchBench/bin/Release/net10.0/Sendarix.SearchBench.dll"

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }
# shellcheck source=bench/relay.sh
. "$here/relay.sh"
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

relay_pid=""
cleanup() {
  local status=$?
  set +e
  [ -n "$relay_pid" ] && kill "$relay_pid" 2>/dev/null && wait "$relay_pid" 2>/dev/null
  "$root/infra/azurite.sh" stop >/dev/null 2>&1
  rm -rf "$AZURITE_DIR"
  [ -d "$run" ] && say "logs are in $run"
  exit "$status"
}
trap cleanup EXIT

for port in 10100 10101 10102 10112 18025 12587 12465 11211 30100; do
  listening "$port" && die "port $port is already in use; this benchmark needs it for its own fresh services"
done
mkdir -p "$run" "$here/results"

say "building the relay and the search bench (Release)"
dotnet build "$root/src/Sendarix.Host/Sendarix.Host.csproj" -c Release -nologo -v quiet > "$run/build.log" 2>&1 \
  || { cat "$run/build.log" >&2; die "the relay did not build"; }
dotnet build "$here/Sendarix.SearchBench/Sendarix.SearchBench.csproj" -c Release -nologo -v quiet >> "$run/build.log" 2>&1 \
  || { cat "$run/build.log" >&2; die "the search bench did not build"; }

# Azurite keeps every row in memory and writes the whole database out now and then: past Node's default heap at
# this many rows.
NODE_OPTIONS="--max-old-space-size=16384" "$root/infra/azurite.sh" start >&2
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" -keyout "$run/cert.key" -out "$run/cert.pem" 2>/dev/null
openssl pkcs12 -export -passout pass: -inkey "$run/cert.key" -in "$run/cert.pem" -out "$run/cert.pfx"
operator_key=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
say "starting the relay"
(
  cd "$run"
  export Sendarix__Storage__ConnectionString="$connection"
  export Sendarix__Smtp__StartTlsPort=12587 Sendarix__Smtp__ImplicitTlsPort=12465 Sendarix__Smtp__DevelopmentCertificatePath="$run/cert.pfx"
  export Sendarix__Api__Url="$api" Sendarix__Api__OperatorApiKey="$operator_key"
  Sendarix__Domains__KeyEncryptionKey=$(head -c 32 /dev/urandom | base64)
  export Sendarix__Domains__KeyEncryptionKey
  export Sendarix__Cluster__ClusterId=search-bench Sendarix__Cluster__SiloPort=11211 Sendarix__Cluster__GatewayPort=30100
  export Logging__LogLevel__Default=Warning
  exec dotnet "$host_dll"
) > "$run/relay.log" 2>&1 &
relay_pid=$!
wait_relay "$relay_pid" "$api" "$run/relay.log" || exit 1

status=$(curl -sS --noproxy '*' -o "$run/tenant.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $operator_key" \
  -H 'Content-Type: application/json' -d '{"name":"search bench"}' "$api/v1/tenants")
[ "$status" = 201 ] || { cat "$run/tenant.json" >&2; die "creating the tenant answered $status"; }
tenant=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$run/tenant.json")

say "seeding $messages messages of tenant $tenant over $days days"
seeded=$(dotnet "$bench_dll" seed "$connection" sx "$tenant" "$messages" "$run/manifest.json" "$days" 2> "$run/seed.log" | tail -n 1) \
  || { tail -n 20 "$run/seed.log" >&2; die "seeding failed"; }
say "$seeded"
azurite_rss=$(ps -o rss= -p "$(cat "$AZURITE_DIR/azurite.pid")" | tr -d ' ')

say "searching: $queries queries of each kind"
table=$(dotnet "$bench_dll" query "$api" "$operator_key" "$run/manifest.json" "$queries")
{
  echo "# Message search: first page at $messages messages"
  echo
  echo "\`bench/search.sh\`, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, relay at $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src bench || echo ' (with uncommitted changes)'), Azurite $(node -p "require('$root/node_modules/azurite/package.json').version") on Node $(node --version)."
  echo
  echo "One tenant's $messages messages, spread over $days days, seeded through the relay's own storage code (message"
  echo "rows, their events, their summaries and index rows: \`$seeded\`); Azurite then held $((azurite_rss / 1024)) MiB. Each search asks"
  echo "the API for the first page (50 messages), one at a time, for values that exist (recipients with a few messages"
  echo "each, Message-IDs of one message, tags of about 1,000 messages each, one-day windows of about $((messages / days)) messages)."
  echo
  echo "$table"
} > "$results"
cat "$results"
say "written to ${results#"$here"/}"
