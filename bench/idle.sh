#!/usr/bin/env bash
# Idle sessions on one front-end: opens IDLE_SESSIONS (10,000) SMTP sessions that finish STARTTLS and a second EHLO
# and then send nothing, as applications' connection pools do, measures the relay's resident memory while they are
# held, and times fresh greetings meanwhile; writes bench/results/idle.md.
#   bench/idle.sh
# Starts, then stops again on exit: a fresh Azurite (ports 10100-10102 and 10112) and the relay built in Release
# (STARTTLS 12587, API 18025), with MaxConnections raised to take the sessions. The sessions come from IDLE_SOURCES
# (60) loopback addresses, 127.0.0.2 upwards, as from that many client hosts, so the default limit per client
# (200) stays as it is. Environment (defaults): IDLE_SESSIONS (10000), IDLE_SOURCES (60), IDLE_HOLD (10: seconds
# the sessions are held after the fresh greetings), IDLE_RESULTS (bench/results/idle.md).
# Needs root (for the open-file limit), the .NET 10 SDK and npm.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
sessions=${IDLE_SESSIONS:-10000}
sources=${IDLE_SOURCES:-60}
hold=${IDLE_HOLD:-10}
results=${IDLE_RESULTS:-$here/results/idle.md}
work=/tmp/sendarix-idle
run="$work/run-$$"
export AZURITE_DIR="$work/azurite-$$" AZURITE_BLOB_PORT=10100
smtp_port=12587
api="http://127.0.0.1:18025"
host_dll="$root/src/Sendarix.Host/bin/Release/net10.0/Sendarix.Host.dll"
bench_dll="$root/bench/Sendarix.Bench/bin/Release/net10.0/Sendarix.Bench.dll"

# shellcheck source=bench/relay.sh
. "$here/relay.sh"
say() { echo "idle: $*" >&2; }
die() { say "$*"; exit 1; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
rss_mb() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_mb() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo 0; }

[ "$(id -u)" = 0 ] || die "run as root (the open-file limit is raised for $sessions sessions)"
for port in 10100 10101 10102 10112 $smtp_port 12465 18025 11211 30100; do
  listening "$port" && die "port $port is already in use; this benchmark needs it for its own fresh services"
done
# Each session is a socket in the relay and one in the client, each its own process: each needs more than the
# usual 1,024 open files (a container may cap the hard limit; what it allows must be enough).
need=$((sessions + 2048))
[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge "$need" ] || die "the open-file limit is $(ulimit -Hn); $sessions sessions need $need"
ulimit -n "$need"

relay_pid="" azurite_started=0
cleanup() {
  local status=$?
  set +e
  stop_relay "$relay_pid"
  if [ "$azurite_started" = 1 ]; then "$root/infra/azurite.sh" stop; rm -rf "$AZURITE_DIR"; fi
  [ -d "$run" ] && say "logs are in $run"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$run" "$(dirname "$results")"

say "building the relay and the load generator (Release)"
dotnet build "$root/src/Sendarix.Host/Sendarix.Host.csproj" -c Release -nologo -v quiet > "$run/build.log" 2>&1 || { cat "$run/build.log" >&2; die "the relay did not build"; }
dotnet build "$here/Sendarix.Bench/Sendarix.Bench.csproj" -c Release -nologo -v quiet >> "$run/build.log" 2>&1 || { cat "$run/build.log" >&2; die "the load generator did not build"; }

azurite_started=1
"$root/infra/azurite.sh" start >&2

say "starting the relay"
(
  cd "$run"
  relay_env "$work" "$api" "$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" idle
  export Sendarix__Smtp__MaxConnections=$((sessions + 100))
  exec dotnet "$host_dll"
) > "$run/relay.log" 2>&1 &
relay_pid=$!
wait_relay "$relay_pid" "$api" "$run/relay.log" || exit 1
sleep 2
rss_idle=$(rss_mb "$relay_pid")
say "relay ready, ${rss_idle} MB resident; opening $sessions sessions from $sources addresses"

dotnet "$bench_dll" idle 127.0.0.1 "$smtp_port" "$sessions" "$sources" "$hold" > "$run/idle.out" 2> "$run/idle.err" &
client=$!
for _ in $(seq 1 3000); do
  grep -q '^READY ' "$run/idle.out" 2>/dev/null && break
  kill -0 "$client" 2>/dev/null || break
  sleep 0.2
done
ready=$(grep '^READY ' "$run/idle.out" || true)
[ -n "$ready" ] || { cat "$run/idle.err" >&2; die "the client did not open its sessions"; }
# Resident memory while every session is held, sampled for the hold's first seconds.
rss_held=0
for _ in $(seq 1 5); do
  r=$(rss_mb "$relay_pid"); [ "$r" -gt "$rss_held" ] && rss_held=$r
  sleep 1
done
wait "$client" || true
line=$(grep '^IDLE ' "$run/idle.out" || true)
[ -n "$line" ] || { cat "$run/idle.err" >&2; die "the client gave no result"; }
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<< "$1"; }
open=$(field "$line" open)
per_session=$(awk -v a="$rss_held" -v b="$rss_idle" -v n="$open" 'BEGIN { printf "%.1f", (n > 0 ? (a - b) * 1024 / n : 0) }')

{
  echo "# Idle sessions on one front-end"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, relay at $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$( [ -n "$(git -C "$root" status --porcelain -- src 2>/dev/null)" ] && echo ' (with uncommitted changes in src/)'), .NET $(dotnet --version), fresh Azurite."
  echo "One relay process (silo, front-end, API). $sessions sessions from $sources loopback addresses, each: greeting, EHLO, STARTTLS,"
  echo "TLS handshake, EHLO, then nothing; held for $hold s after 20 fresh greetings were timed (\`bench/idle.sh\`)."
  echo
  echo "| sessions open | failed | time to open | relay resident before | relay resident while held | per session | fresh greeting p50 / max | still open after the hold |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  echo "| $open | $(field "$line" failed) | $(field "$line" open_seconds) s | $rss_idle MB | $rss_held MB | $per_session KB | $(field "$line" greeting_p50_ms) / $(field "$line" greeting_max_ms) ms | $(field "$line" alive_after_hold) |"
  echo
  echo "Resident: VmRSS of the relay's process, the highest of five samples while the sessions were held (peak of the"
  echo "whole run, VmHWM: $(hwm_mb "$relay_pid") MB)."
  echo
  echo "\`$line\`"
  if [ -s "$run/idle.err" ]; then echo; echo "Client errors:"; echo; sed 's/^/    /' "$run/idle.err"; fi
} > "$run/idle.md"
cp "$run/idle.md" "$results"
cat "$run/idle.md"
say "written to ${results#"$root"/}"
