#!/usr/bin/env bash
# Measures the relay side by side with Postfix and Haraka on this machine, loopback only, and writes
# bench/results/latest.md.
#   bench/run.sh
# Starts, then stops again on exit: a fresh Azurite (ports 10100-10102, and 10112 for the reporting account), Postfix's smtp-sink as the relay's
# destination (127.0.0.1:10027), dnsmasq on 127.0.0.1:10053 serving the bench sender domain's DKIM record, the relay
# built in Release (STARTTLS 12587, API 18025), the Postfix peer from ../shared/peers/postfix-peer.sh (submission
# 10587, its own sink on 10026) and the Haraka peer from ../shared/peers/haraka-peer.sh (submission 10687, a sink on
# 10696 started here) and, with BENCH_SPAM=1, rspamd for the relay (normal worker 11433, controller 11434, proxy 11432
# with no processes). The same MailKit load generator (bench/Sendarix.Bench) then drives each side in turn:
# STARTTLS, AUTH, 2 KB messages, one at a time per connection.
# Environment (defaults): BENCH_SIDES ("sendarix postfix haraka"), BENCH_CONNECTIONS ("20 100"), BENCH_WARMUP (5),
# BENCH_SECONDS (20), BENCH_MESSAGE_BYTES (2048), BENCH_CLIENT (light: one prepared message per connection, a new
# Message-Id each time; build: a new MimeMessage with text and HTML alternatives for every message, as application
# code does), BENCH_DRAIN_MAX (60), BENCH_DRAIN_IDLE (5), BENCH_PRIME (10;
# unmeasured load on each side first, 0 for none), BENCH_DKIM (1: the bench tenant sends from a verified domain and
# the relay DKIM-signs every message; 0: an unverified domain the operator exempts, no signing), BENCH_KEEP (0; 1
# keeps the Azurite data folder), BENCH_WEBHOOKS (0; N: the bench tenant has N webhook endpoints, taking every event
# type, on an HTTPS receiver (HTTP/1.1 and HTTP/2) the load generator runs at 127.0.0.1:18090, and each Sendarix run reports whether every accepted
# and delivered event reached each endpoint, the duplicates and the lag), BENCH_WEBHOOK_BATCH (0; 1: the endpoints
# take batches of up to 100 events per request), BENCH_SPAM (0; 1: a real rspamd (the Debian package) scans every
# message the relay accepts, Sendarix__SpamFilter__DefaultPolicy=Reject, before its 250; the Sendarix rows are
# labelled "Sendarix + rspamd"), BENCH_RSPAMD_WORKERS (1: rspamd's normal workers), BENCH_RECEIVER_NICE (10: the receiver's nice value), BENCH_RESULTS (bench/results/latest.md: where the report goes).
# Needs root (apt-get for Postfix and dnsmasq, Postfix itself), the .NET 10 SDK and npm.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
peer="$root/../shared/peers/postfix-peer.sh"
haraka_peer="$root/../shared/peers/haraka-peer.sh"

sides=${BENCH_SIDES:-sendarix postfix haraka}
dkim=${BENCH_DKIM:-1}
connections=${BENCH_CONNECTIONS:-20 100}
warmup=${BENCH_WARMUP:-5}
seconds=${BENCH_SECONDS:-20}
size=${BENCH_MESSAGE_BYTES:-2048}
drain_max=${BENCH_DRAIN_MAX:-60}
drain_idle=${BENCH_DRAIN_IDLE:-5}
prime=${BENCH_PRIME:-10}
webhooks=${BENCH_WEBHOOKS:-0}
webhook_batch=${BENCH_WEBHOOK_BATCH:-0}
receiver_nice=${BENCH_RECEIVER_NICE:-10}
spam=${BENCH_SPAM:-0}
client=${BENCH_CLIENT:-light}
case "$client" in light|build) ;; *) echo "bench: BENCH_CLIENT is light or build, not '$client'" >&2; exit 2 ;; esac
rspamd_workers=${BENCH_RSPAMD_WORKERS:-1}
webhook_port=18090

work=/tmp/sendarix-bench
run="$work/run-$$"
export AZURITE_DIR="$work/azurite-$$" AZURITE_BLOB_PORT=10100
smtp_port=12587
api="http://127.0.0.1:18025"
relay_sink_port=10027
peer_port=10587
peer_sink_log=/tmp/postfix-peer/sink.log
haraka_port=10687
haraka_sink_port=10696
dns_port=10053
rspamd_port=11433
rspamd_controller_port=11434
rspamd_proxy_port=11432
bench_domain=bench.example
host_dll="$root/src/Sendarix.Host/bin/Release/net10.0/Sendarix.Host.dll"
bench_dll="$root/bench/Sendarix.Bench/bin/Release/net10.0/Sendarix.Bench.dll"
results=${BENCH_RESULTS:-$here/results/latest.md}

# shellcheck source=bench/relay.sh
. "$here/relay.sh"
say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Polls a condition every 0.2 s, for at most $1 seconds; fails early when process $2 (if given) is gone.
wait_for() {
  local limit=$1 pid=$2 what=$3; shift 3
  local tries=$((limit * 5))
  for _ in $(seq 1 "$tries"); do
    if "$@"; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then say "$what: the process exited"; return 1; fi
    sleep 0.2
  done
  say "$what: not ready within $limit s"
  return 1
}

relay_pid="" sink_pid="" haraka_sink_pid="" dns_pid="" receiver_pid="" rspamd_pid="" azurite_started=0 peer_started=0 haraka_started=0
cleanup() {
  local status=$?
  set +e
  stop_relay "$relay_pid"
  if [ -n "$rspamd_pid" ] && kill -0 "$rspamd_pid" 2>/dev/null; then
    # The main process stops its workers on TERM; any it leaves behind are killed by their ids.
    local workers
    workers=$(pgrep -P "$rspamd_pid" || true)
    kill -TERM "$rspamd_pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$rspamd_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$rspamd_pid" 2>/dev/null
    wait "$rspamd_pid" 2>/dev/null
    for pid in $workers; do kill -KILL "$pid" 2>/dev/null; done
  fi
  for pid in $sink_pid $haraka_sink_pid $dns_pid $receiver_pid; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  [ "$peer_started" = 1 ] && "$peer" stop
  [ "$haraka_started" = 1 ] && "$haraka_peer" stop
  if [ "$azurite_started" = 1 ]; then
    "$root/infra/azurite.sh" stop
    [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$AZURITE_DIR"
  fi
  [ -d "$run" ] && say "logs are in $run"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- prerequisites ---------------------------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || die "run as root (Postfix is installed with apt-get and run as a system service)"
command -v dotnet >/dev/null || die "the .NET 10 SDK is required (dotnet not found)"
command -v npm >/dev/null || die "Node.js and npm are required for Azurite (npm not found)"
command -v curl >/dev/null || die "curl is required"
command -v openssl >/dev/null || die "openssl is required"
has_side() { [[ " $sides " == *" $1 "* ]]; }
has_side postfix && { [ -f "$peer" ] || die "the Postfix peer script is missing: $peer (expected ../shared beside the repository)"; }
has_side haraka && { [ -f "$haraka_peer" ] || die "the Haraka peer script is missing: $haraka_peer (expected ../shared beside the repository)"; }
spam_ports=""
if [ "$spam" = 1 ]; then
  command -v rspamd >/dev/null || die "BENCH_SPAM=1 needs rspamd (Debian package rspamd; infra/test.sh installs it)"
  [[ "$rspamd_workers" =~ ^[1-9][0-9]*$ ]] || die "BENCH_RSPAMD_WORKERS must be a positive number (is '$rspamd_workers')"
  spam_ports="$rspamd_port $rspamd_controller_port $rspamd_proxy_port"
elif [ "$spam" != 0 ]; then
  die "BENCH_SPAM must be 0 or 1 (is '$spam')"
fi
for port in 10100 10101 10102 10112 $webhook_port $relay_sink_port $smtp_port 12465 18025 11211 30100 $dns_port $haraka_port $haraka_sink_port $spam_ports; do
  listening "$port" && die "port $port is already in use; this benchmark needs it for its own fresh services"
done

if ! command -v smtp-sink >/dev/null || ! command -v postfix >/dev/null || ! command -v saslpasswd2 >/dev/null; then
  say "installing Postfix (Debian package, no configuration)"
  export DEBIAN_FRONTEND=noninteractive
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq && apt-get install -y -qq postfix sasl2-bin libsasl2-modules >/dev/null
fi
if [ "$dkim" = 1 ] && ! command -v dnsmasq >/dev/null; then
  say "installing dnsmasq (serves the bench domain's DKIM record)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dnsmasq-base >/dev/null
fi

json_field() { # file field
  if command -v jq >/dev/null; then jq -r ".$2 // empty" "$1"
  else python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]) or "")' "$1" "$2"; fi
}

mkdir -p "$run" "$here/results"

# --- build --------------------------------------------------------------------------------------------------------
# The two projects only: the solution also holds test projects that have nothing to do with the measurement.
say "building the relay and the load generator (Release)"
dotnet build "$root/src/Sendarix.Host/Sendarix.Host.csproj" -c Release -nologo -v quiet > "$run/build.log" 2>&1 \
  || { cat "$run/build.log" >&2; die "the relay did not build"; }
dotnet build "$here/Sendarix.Bench/Sendarix.Bench.csproj" -c Release -nologo -v quiet >> "$run/build.log" 2>&1 \
  || { cat "$run/build.log" >&2; die "the load generator did not build"; }

# --- Azurite, the relay's sink, the relay -------------------------------------------------------------------------
azurite_started=1
"$root/infra/azurite.sh" start >&2

smtp-sink -c -u postfix "127.0.0.1:$relay_sink_port" 1000 > "$run/relay-sink.log" 2>&1 &
sink_pid=$!
wait_for 10 "$sink_pid" "smtp-sink on $relay_sink_port" listening "$relay_sink_port"

if [ "$webhooks" != 0 ]; then
  # A CA for this run and the webhook receiver's certificate for 127.0.0.1, signed by it; the relay trusts the CA.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Sendarix bench CA" -keyout "$work/webhook-ca.key" \
    -out "$work/webhook-ca.pem" -addext basicConstraints=critical,CA:TRUE 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$work/webhook.key" -out "$work/webhook.csr" 2>/dev/null
  openssl x509 -req -in "$work/webhook.csr" -CA "$work/webhook-ca.pem" -CAkey "$work/webhook-ca.key" -CAcreateserial -days 2 \
    -extfile <(printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n') -out "$work/webhook.pem" 2>/dev/null
  openssl pkcs12 -export -passout pass: -inkey "$work/webhook.key" -in "$work/webhook.pem" -out "$work/webhook.pfx"
fi

if [ "$spam" = 1 ]; then
  # As the integration tests' fixture (tests/Sendarix.Tests.Integration/Infrastructure/Rspamd.cs) starts it: the
  # stock rules from /etc/rspamd, only the listeners, workers and logging overridden, data folders of this run's own.
  # The Hyperscan databases compiled on the first start (10-30 s on two cores) are kept in $work for later runs.
  rspamd_dir="$run/rspamd"
  mkdir -p "$rspamd_dir/local/override.d" "$rspamd_dir/db" "$rspamd_dir/run" "$rspamd_dir/log" "$work/rspamd-hyperscan"
  printf 'bind_socket = "127.0.0.1:%s";\ncount = %s;\n' "$rspamd_port" "$rspamd_workers" > "$rspamd_dir/local/override.d/worker-normal.inc"
  printf 'bind_socket = "127.0.0.1:%s";\ncount = 1;\n' "$rspamd_controller_port" > "$rspamd_dir/local/override.d/worker-controller.inc"
  printf 'bind_socket = "127.0.0.1:%s";\ncount = 0;\n' "$rspamd_proxy_port" > "$rspamd_dir/local/override.d/worker-proxy.inc"
  printf 'type = "console";\nlevel = "warning";\n' > "$rspamd_dir/local/override.d/logging.inc"
  printf 'hs_cache_dir = "%s/";\n' "$work/rspamd-hyperscan" > "$rspamd_dir/local/override.d/options.inc"
  say "starting rspamd ($rspamd_workers normal worker(s) on 127.0.0.1:$rspamd_port)"
  rspamd -f -i -u root -g root -c /etc/rspamd/rspamd.conf "--var=LOCAL_CONFDIR=$rspamd_dir/local" "--var=DBDIR=$rspamd_dir/db" \
    "--var=RUNDIR=$rspamd_dir/run" "--var=LOGDIR=$rspamd_dir/log" > "$run/rspamd.log" 2>&1 &
  rspamd_pid=$!
  rspamd_pong() { [ "$(curl -s --noproxy '*' --max-time 2 "http://127.0.0.1:$rspamd_port/ping" 2>/dev/null | tr -d '[:space:]')" = pong ]; }
  wait_for 90 "$rspamd_pid" "rspamd (http://127.0.0.1:$rspamd_port/ping)" rspamd_pong || { tail -n 40 "$run/rspamd.log" >&2; exit 1; }
  say "rspamd $(rspamd --version 2>/dev/null | sed -n 's/.*version //p' | head -n 1) ready"
fi

operator_key=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
say "starting the relay"
(
  cd "$run"
  relay_env "$work" "$api" "$operator_key" bench
  export Sendarix__Delivery__Routes__0__Domain='*' Sendarix__Delivery__Routes__0__Hosts__0="127.0.0.1:$relay_sink_port"
  export Sendarix__Dns__Servers__0="127.0.0.1:$dns_port"
  if [ "$spam" = 1 ]; then
    # Every tenant without a policy of its own, the bench tenant included: each message is scanned before the 250.
    export Sendarix__SpamFilter__Url="http://127.0.0.1:$rspamd_port" Sendarix__SpamFilter__DefaultPolicy=Reject
  fi
  if [ "$webhooks" != 0 ]; then
    # The receiver is on loopback, over HTTPS with a certificate from the bench's own CA: the operator allows
    # private addresses and trusts that CA, as a relay whose receivers are on its own network would.
    export Sendarix__Webhooks__AllowPrivateAddresses=true Sendarix__Webhooks__TrustedCaFile="$work/webhook-ca.pem"
  fi
  exec dotnet "$host_dll"
) > "$run/relay.log" 2>&1 &
relay_pid=$!

wait_relay "$relay_pid" "$api" "$run/relay.log" || exit 1
wait_for 60 "$relay_pid" "relay SMTP port $smtp_port" listening "$smtp_port" || { tail -n 40 "$run/relay.log" >&2; exit 1; }

post() { # path body output → HTTP status
  curl -sS --noproxy '*' -o "$3" -w '%{http_code}' -X POST -H "Authorization: Bearer $operator_key" \
    -H 'Content-Type: application/json' -d "$2" "$api$1"
}
status=$(post /v1/tenants '{"name":"bench"}' "$run/tenant.json")
[ "$status" = 201 ] || { cat "$run/tenant.json" >&2; die "creating the tenant answered $status"; }
tenant=$(json_field "$run/tenant.json" id)
status=$(post "/v1/tenants/$tenant/credentials" '{}' "$run/credential.json")
[ "$status" = 201 ] || { cat "$run/credential.json" >&2; die "issuing the credential answered $status"; }
if [ "$dkim" = 1 ]; then
  # The tenant adds the load generator's sender domain, the DNS server publishes the DKIM record the API returned,
  # and the domain is verified: from then on every message is DKIM-signed (RSA-2048) on its way to the sink.
  status=$(post "/v1/tenants/$tenant/domains" "{\"domain\":\"$bench_domain\"}" "$run/domain.json")
  [ "$status" = 201 ] || { cat "$run/domain.json" >&2; die "adding the sender domain answered $status"; }
  read -r dkim_name dkim_value < <(python3 -c 'import json,sys; r=[r for r in json.load(open(sys.argv[1]))["records"] if r["kind"]=="dkim"][0]; print(r["name"], r["value"])' "$run/domain.json")
  chunks=$(python3 -c 'import sys; v=sys.argv[1]; print(",".join(v[i:i+255] for i in range(0, len(v), 255)))' "$dkim_value")
  dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --pid-file= --bind-interfaces \
    --listen-address=127.0.0.1 "--port=$dns_port" --log-facility=- "--txt-record=$dkim_name,$chunks" > "$run/dnsmasq.log" 2>&1 &
  dns_pid=$!
  dns_ok() { python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$dns_port" 2>/dev/null; }
  wait_for 10 "$dns_pid" "dnsmasq on $dns_port" dns_ok
  status=$(post "/v1/tenants/$tenant/domains/$bench_domain/verify" '{}' "$run/verify.json")
  [ "$status" = 200 ] && [ "$(json_field "$run/verify.json" status)" = verified ] \
    || { cat "$run/verify.json" >&2; die "the bench domain did not verify (answered $status)"; }
  say "sender domain $bench_domain verified; messages will be DKIM-signed"
else
  # The load generator sends from a domain nobody verified: the operator lifts the sender-domain policy for this
  # tenant (the check itself still runs on every message); nothing is signed.
  status=$(curl -sS --noproxy '*' -o "$run/patch.json" -w '%{http_code}' -X PATCH -H "Authorization: Bearer $operator_key" \
    -H 'Content-Type: application/json' -d '{"allowUnverifiedSenders":true}' "$api/v1/tenants/$tenant")
  [ "$status" = 200 ] || { cat "$run/patch.json" >&2; die "lifting the sender policy answered $status"; }
fi
if [ "$webhooks" != 0 ]; then
  # The receiver stands for the tenant's own server, elsewhere in production. Here it shares two cores with
  # the relay, so it runs at a lower priority: what it costs comes out of idle time first, and the runs with and
  # without endpoints differ by the relay's own webhook work rather than by the receiver's.
  nice -n "$receiver_nice" dotnet "$bench_dll" receive "$webhook_port" "$run/webhooks.log" "$work/webhook.pfx" > "$run/receiver.log" 2>&1 &
  receiver_pid=$!
  wait_for 30 "$receiver_pid" "webhook receiver on $webhook_port" listening "$webhook_port"
  webhook_names=""
  for i in $(seq 1 "$webhooks"); do
    batch=$([ "$webhook_batch" = 1 ] && echo true || echo false)
    status=$(post "/v1/tenants/$tenant/webhooks" "{\"url\":\"https://127.0.0.1:$webhook_port/e$i\",\"batch\":$batch}" "$run/webhook-$i.json")
    [ "$status" = 201 ] || { cat "$run/webhook-$i.json" >&2; die "creating webhook endpoint $i answered $status"; }
    webhook_names+="${webhook_names:+,}e$i"
  done
  say "$webhooks webhook endpoint(s) on 127.0.0.1:$webhook_port ($webhook_names), batch=$batch"
fi
relay_user=$(json_field "$run/credential.json" username)
relay_secret=$(json_field "$run/credential.json" secret)
[ -n "$relay_user" ] && [ -n "$relay_secret" ] || die "the credential response has no username or secret"
say "relay ready: tenant $tenant, SMTP user $relay_user"

# --- the peers ------------------------------------------------------------------------------------------------------
if has_side postfix; then
  peer_started=1
  "$peer" start >&2
  wait_for 30 "" "Postfix submission port $peer_port" listening "$peer_port"
  wait_for 10 "" "Postfix peer's sink" listening 10026
fi
if has_side haraka; then
  smtp-sink -c -u postfix "127.0.0.1:$haraka_sink_port" 1000 > "$run/haraka-sink.log" 2>&1 &
  haraka_sink_pid=$!
  wait_for 10 "$haraka_sink_pid" "smtp-sink on $haraka_sink_port" listening "$haraka_sink_port"
  haraka_started=1
  "$haraka_peer" start >&2
  wait_for 60 "" "Haraka submission port $haraka_port" listening "$haraka_port"
fi

# --- measuring ------------------------------------------------------------------------------------------------------
hz=$(getconf CLK_TCK)
cores=$(nproc)
cpu_of() { # pid → CPU ticks it has used (user + system), 0 when gone
  [ -r "/proc/$1/stat" ] && awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
# Postfix is a master and short-lived children: the live children's CPU plus what the master has reaped. A child
# alive at both readings is counted by its difference; one that exits in between moves into the master's share.
postfix_cpu() {
  local master
  master=$(tr -d ' \n' < /var/spool/postfix/pid/master.pid 2>/dev/null || true)
  [ -n "$master" ] || { echo 0; return; }
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v m="$master" '{ pid = $1; sub(/^.*\) /, "");
    if (pid == m) s += $12 + $13 + $14 + $15; else if ($2 == m) s += $12 + $13 } END { print s + 0 }'
}
# Haraka is a master and its cluster workers (node processes that live as long as it does).
haraka_cpu() {
  local master sum=0
  master=$(cat /tmp/haraka-peer/haraka.pid 2>/dev/null || true)
  [ -n "$master" ] || { echo 0; return; }
  for pid in "$master" $(pgrep -P "$master"); do sum=$((sum + $(cpu_of "$pid"))); done
  echo "$sum"
}
server_cpu() { # side → ticks
  case "$1" in
    sendarix) echo $(( $(cpu_of "$relay_pid") + $(azurite_cpu sendarix | tr ' ' '+') + $(rspamd_cpu) )) ;;
    postfix) postfix_cpu ;;
    haraka) haraka_cpu ;;
  esac
}
azurite_cpu() { # side → ticks of Azurite's two accounts (a part of the Sendarix server's), "0 0" for the peers
  if [ "$1" = sendarix ]; then
    echo "$(cpu_of "$(cat "$AZURITE_DIR/azurite.pid")") $(cpu_of "$(cat "$AZURITE_DIR/reporting/azurite.pid")")"
  else echo "0 0"; fi
}
rspamd_cpu() { # ticks of rspamd's main process and its workers (which live as long as it does), 0 without it
  local sum=0
  [ -n "$rspamd_pid" ] || { echo 0; return; }
  for pid in "$rspamd_pid" $(pgrep -P "$rspamd_pid"); do sum=$((sum + $(cpu_of "$pid"))); done
  echo "$sum"
}
rspamd_scanned() { # messages rspamd's controller has counted as scanned, empty when it does not say
  [ -n "$rspamd_pid" ] || return 0
  curl -s --noproxy '*' --max-time 5 "http://127.0.0.1:$rspamd_controller_port/stat" 2>/dev/null \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["scanned"])' 2>/dev/null || true
}
machine_cpu() { awk '/^cpu / { print $2+$3+$4+$5+$6+$7+$8+$9, $5+$6 }' /proc/stat; } # all ticks, idle ticks
children_seconds() { # output of the `times` builtin → CPU seconds of reaped children
  awk 'function secs(s, m) { m = s; sub(/m.*/, "", m); sub(/^[0-9]+m/, "", s); sub(/s$/, "", s); return m * 60 + s }
    NR == 2 { print secs($1) + secs($2) }' "$1"
}

declare -A result cpu load_other ms_per_msg hooks
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<< "$1"; }

load() { # side host port user password connections warmup seconds [bench options...] → RESULT line on stdout
  dotnet "$bench_dll" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$size" "${@:9}" > "$run/$1.out" 2> "$run/$1.err" || true
  sed 's/^/  /' "$run/$1.err" >&2
  cat "$run/$1.err" >> "$run/bench.log"
  grep '^RESULT ' "$run/$1.out" | tail -n 1 || true
}

measure() { # side host port user password connections sink-log
  local side=$1 conns=$6
  local relay_lines postfix_lines haraka_lines machine_before machine_after server_before server_after azurite_before azurite_after bench_seconds line
  local rspamd_before=0 rspamd_after=0 scanned_before="" scanned_after=""
  relay_lines=$(wc -l < "$run/relay.log")
  postfix_lines=$( [ -f /var/log/postfix.log ] && wc -l < /var/log/postfix.log || echo 0)
  haraka_lines=$( [ -f /tmp/haraka-peer/haraka.log ] && wc -l < /tmp/haraka-peer/haraka.log || echo 0)
  say "$side, $conns connections: ${warmup} s warm-up, ${seconds} s measured, then up to ${drain_max} s for the sink"
  if [ "$side" = sendarix ] && [ "$spam" = 1 ]; then rspamd_before=$(rspamd_cpu); scanned_before=$(rspamd_scanned); fi
  machine_before=$(machine_cpu); server_before=$(server_cpu "$side"); azurite_before=$(azurite_cpu "$side")
  times > "$run/times.before" # the builtin, run in this shell: CPU of the children it has reaped
  local ids=() timings=()
  [ "$side" = sendarix ] && [ "$webhooks" != 0 ] && ids=(--ids-out "$run/ids-$conns.txt")
  # The relay's own timings over the measured window, from its Prometheus endpoint: where a 250's time goes.
  # And how long Azurite's table service keeps a caller waiting, asked for nothing every 100 ms.
  [ "$side" = sendarix ] && timings=(--metrics "$api/metrics" --storage-probe "http://127.0.0.1:10102/devstoreaccount1/Tables")
  line=$(load "$side-$conns" "$2" "$3" "$4" "$5" "$conns" "$warmup" "$seconds" \
    --sink-log "$7" --drain-max "$drain_max" --drain-idle "$drain_idle" --client "$client" "${ids[@]}" "${timings[@]}")
  times > "$run/times.after"
  machine_after=$(machine_cpu); server_after=$(server_cpu "$side"); azurite_after=$(azurite_cpu "$side")
  if [ "$side" = sendarix ] && [ "$spam" = 1 ]; then rspamd_after=$(rspamd_cpu); scanned_after=$(rspamd_scanned); fi
  bench_seconds=$(awk -v a="$(children_seconds "$run/times.after")" -v b="$(children_seconds "$run/times.before")" 'BEGIN { print a - b }')
  result[$side,$conns]=$line
  if [ -z "$line" ]; then say "$side, $conns connections: no result (see $run/$side-$conns.err)"; else say "  $line"; fi
  if [ ${#ids[@]} -gt 0 ]; then
    # Every message accepted in this run (warm-up included) must reach every endpoint as accepted and delivered.
    hooks[$conns]=$(dotnet "$bench_dll" webhook-report "$run/webhooks.log" "$run/ids-$conns.txt" "$webhook_names" "$drain_max" | grep '^WEBHOOKS ' || true)
    say "  ${hooks[$conns]:-no webhook report}"
  fi

  # CPU over the whole run (warm-up and drain included), in cores: the machine, the server (the relay and Azurite,
  # or Postfix's processes), the load generator, and the rest (other people's work, the sinks, the kernel).
  local usage
  usage=$(awk -v mb="$machine_before" -v ma="$machine_after" -v sb="$server_before" -v sa="$server_after" \
    -v bs="$bench_seconds" -v hz="$hz" -v n="$cores" -v msgs="$(field "$line" total_accepted)" 'BEGIN {
      split(mb, x, " "); split(ma, y, " "); all = y[1] - x[1]; busy = all - (y[2] - x[2]); wall = all / n / hz
      if (wall <= 0) wall = 1
      server = (sa - sb) / hz; bench = bs; other = busy / hz - server - bench; if (other < 0) other = 0
      printf "%.2f %.2f %.2f %.2f %s\n", busy / hz / wall, server / wall, bench / wall, other / wall,
        (msgs > 0 ? sprintf("%.2f", 1000 * server / msgs) : "n/a") }')
  local machine_cores server_cores bench_cores other_cores per_msg
  read -r machine_cores server_cores bench_cores other_cores per_msg <<< "$usage"
  load_other[$side,$conns]=$other_cores
  ms_per_msg[$side,$conns]=$per_msg
  cpu[$side,$conns]="CPU in cores: machine $machine_cores of $cores, server $server_cores, load generator $bench_cores, other $other_cores; server CPU $per_msg ms per accepted message"
  if [ "$side" = sendarix ]; then
    cpu[$side,$conns]+=" ($(awk -v a="$azurite_after" -v b="$azurite_before" -v hz="$hz" -v msgs="$(field "$line" total_accepted)" \
      'BEGIN { split(a, x, " "); split(b, y, " "); if (msgs < 1) msgs = 1
        printf "%.2f of them Azurite'"'"'s main account, %.2f its reporting account", 1000 * (x[1] - y[1]) / hz / msgs, 1000 * (x[2] - y[2]) / hz / msgs }'))"
    local warnings
    warnings=$(tail -n +"$((relay_lines + 1))" "$run/relay.log" | grep -cE '^(warn|fail|crit):' || true)
    cpu[$side,$conns]+="; relay log: $warnings warnings/errors"
    if [ "$spam" = 1 ]; then
      # Scans over the whole run (warm-up and drain included) against the messages accepted in it; a scan that
      # failed or timed out is a warning in the relay's log, and the message was accepted unscanned (FailureMode Open, the default) or answered 451.
      local failed scans
      failed=$(tail -n +"$((relay_lines + 1))" "$run/relay.log" | grep -c 'spam filter could not scan' || true)
      scans=$([ -n "$scanned_before" ] && [ -n "$scanned_after" ] && echo $((scanned_after - scanned_before)) || echo '?')
      cpu[$side,$conns]+="; rspamd: $scans scans for $(field "$line" total_accepted) accepted messages, $failed failed scans in the relay log, $(awk -v a="$rspamd_after" -v b="$rspamd_before" -v hz="$hz" -v msgs="$(field "$line" total_accepted)" \
        'BEGIN { if (msgs < 1) msgs = 1; printf "%.2f", 1000 * (a - b) / hz / msgs }') ms of rspamd CPU per accepted message (part of the server's)"
    fi
  elif [ "$side" = postfix ] && [ -f /var/log/postfix.log ]; then
    local deferred
    # smtpd's "NIS domain name not set" at every process start is noise.
    deferred=$(tail -n +"$((postfix_lines + 1))" /var/log/postfix.log | grep -v dict_nis_init | grep -cE 'warning|status=deferred|reject' || true)
    cpu[$side,$conns]+="; postfix log: $deferred warnings/deferrals/rejects"
  elif [ "$side" = haraka ]; then
    local problems
    problems=$(tail -n +"$((haraka_lines + 1))" /tmp/haraka-peer/haraka.log 2>/dev/null | grep -cE '\[(WARN|ERROR|CRIT)' || true)
    cpu[$side,$conns]+="; haraka log: $problems warnings/errors"
  fi
}

if [ "$spam" = 1 ]; then
  # rspamd answers /ping before its helper has finished compiling the Hyperscan databases the cache lacks (a core
  # for 10-30 s after a first start): nothing is measured until its processes have settled.
  settled=0
  for _ in $(seq 1 60); do
    a=$(rspamd_cpu); sleep 2; b=$(rspamd_cpu)
    if [ $((b - a)) -lt $((hz / 5)) ]; then settled=1; break; fi
  done
  [ "$settled" = 1 ] && say "rspamd is idle" || say "rspamd was still busy after 120 s; measuring all the same"
fi

# How busy the machine already is (others may be building or testing): one second of /proc/stat.
before=$(machine_cpu); sleep 1; after=$(machine_cpu)
busy_before=$(awk -v b="$before" -v a="$after" -v n="$cores" 'BEGIN { split(b, x, " "); split(a, y, " "); t = y[1] - x[1];
  printf "%.2f", (t > 0 ? n * (t - (y[2] - x[2])) / t : 0) }')

# Each side: submission port, user, password, the sink log its deliveries are counted in, and its name in the report.
declare -A side_port=([sendarix]=$smtp_port [postfix]=$peer_port [haraka]=$haraka_port)
declare -A side_user=([sendarix]=$relay_user [postfix]=bench [haraka]=bench)
declare -A side_pass=([sendarix]=$relay_secret [postfix]=benchpass [haraka]=benchpass)
declare -A side_sink=([sendarix]="$run/relay-sink.log" [postfix]=$peer_sink_log [haraka]="$run/haraka-sink.log")
declare -A side_name=([sendarix]=Sendarix [postfix]=Postfix [haraka]=Haraka)
# Tooling that reads the reports (bench/ab.sh, bench/spam.sh) finds the relay's rows by "Sendarix" in this label.
[ "$spam" = 1 ] && side_name[sendarix]="Sendarix + rspamd"

# Unmeasured load on each side first, at the largest connection count: JIT tiering, thread pools, grain activations,
# storage connections and the peers' process pools all settle before anything is measured.
prime_conns=$(tr ' ' '\n' <<< "$connections" | sort -n | tail -n 1)
if [ "$prime" != 0 ]; then
  say "priming each side: $prime_conns connections for $prime s, not measured"
  for side in $sides; do
    load "prime-$side" 127.0.0.1 "${side_port[$side]}" "${side_user[$side]}" "${side_pass[$side]}" "$prime_conns" 0 "$prime" --client "$client" > /dev/null
  done
fi

for conns in $connections; do
  for side in $sides; do
    measure "$side" 127.0.0.1 "${side_port[$side]}" "${side_user[$side]}" "${side_pass[$side]}" "$conns" "${side_sink[$side]}"
  done
done

# --- report ---------------------------------------------------------------------------------------------------------
num() { local v; v=$(field "$1" "$2"); echo "${v:-}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
row() { # side conns
  local r=${result[$1,$2]:-}
  if [ -z "$r" ]; then echo "| $2 | $3 | failed | | | | | | | |"; return; fi
  echo "| $2 | $3 | $(num "$r" rate) | $(num "$r" p50_ms) | $(num "$r" p99_ms) | $(num "$r" replies_4xx) / $(num "$r" replies_5xx) / $(num "$r" other_errors) | $(num "$r" e2e_rate) | $(num "$r" undelivered) | ${ms_per_msg[$1,$2]:-} | ${load_other[$1,$2]:-} |"
}

report="$run/latest.md"
{
  peers=$(for side in $sides; do [ "$side" = sendarix ] || printf '%s ' "${side_name[$side]}"; done | sed 's/ $//; s/ / and /g')
  echo "# ${side_name[sendarix]}${peers:+ beside $peers}: submission benchmark$( [ "$spam" = 1 ] && echo ', rspamd spam filtering on')"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')), ${busy_before} cores busy just before (with every side idle)."
  echo "Relay at $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$( [ -n "$(git -C "$root" status --porcelain -- src 2>/dev/null)" ] && echo ' (with uncommitted changes in src/)'), Postfix $(postconf -h mail_version 2>/dev/null || echo '?'), Haraka $(node -p 'require("/tmp/haraka-peer/node_modules/Haraka/package.json").version' 2>/dev/null || echo '?') on Node $(node --version 2>/dev/null || echo '?'), .NET $(dotnet --version)."
  if [ "$dkim" = 1 ]; then
    echo "Sendarix DKIM-signs every message (RSA-2048, relaxed/relaxed, the tenant's verified domain); the peers do not sign."
  else
    echo "No side signs: the Sendarix tenant sends from an unverified domain the operator exempted (BENCH_DKIM=0)."
  fi
  if [ "$spam" = 1 ]; then
    echo "Spam filtering on (BENCH_SPAM=1): Sendarix scans every message with rspamd $(rspamd --version 2>/dev/null | sed -n 's/.*version //p' | head -n 1) (stock Debian rules, $rspamd_workers normal worker(s), POST /checkv2, DefaultPolicy Reject, timeout ${Sendarix__SpamFilter__Timeout:-00:00:02}, failure mode ${Sendarix__SpamFilter__FailureMode:-Open}) before its 250; the peers do not scan."
  fi
  if [ "$client" = build ]; then
    echo "Client: MailKit building a new MimeMessage for every message (text and HTML alternatives, about ${size} bytes), as application code does (BENCH_CLIENT=build)."
  else
    echo "Client: MailKit sending one prepared ${size}-byte message per connection, a new Message-Id each time (BENCH_CLIENT=light)."
  fi
  echo "Each run: STARTTLS + AUTH, ${size}-byte messages, one at a time per connection, ${warmup} s warm-up, ${seconds} s measured"
  echo "(after ${prime} s of unmeasured load on each side with ${prime_conns} connections);"
  echo "the sink is then watched for up to ${drain_max} s (stopping after ${drain_idle} s without a delivery)."
  echo
  echo "| connections | side | accepted msg/s | p50 ms | p99 ms | 4xx / 5xx / other errors | end-to-end msg/s | undelivered after drain | server CPU ms/msg | other load (cores) |"
  echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for conns in $connections; do
    for side in $sides; do row "$side" "$conns" "${side_name[$side]}"; done
  done
  if [ -n "$peers" ]; then
    echo
    echo "| connections | peer | acceptance rate Sendarix/peer | p99 Sendarix/peer | end-to-end rate Sendarix/peer |"
    echo "| ---: | --- | ---: | ---: | ---: |"
    for conns in $connections; do
      for side in $sides; do
        [ "$side" = sendarix ] && continue
        s=${result[sendarix,$conns]:-} p=${result[$side,$conns]:-}
        echo "| $conns | ${side_name[$side]} | $(ratio "$(num "$s" rate)" "$(num "$p" rate)") | $(ratio "$(num "$s" p99_ms)" "$(num "$p" p99_ms)") | $(ratio "$(num "$s" e2e_rate)" "$(num "$p" e2e_rate)") |"
      done
    done
  fi
  echo
  echo "Acceptance rate above 1 and p99 below 1 favour Sendarix. Server CPU: the relay plus Azurite, Postfix's"
  echo "processes, or Haraka's master and workers, per message accepted over the whole run$( [ "$spam" = 1 ] && echo " (for Sendarix with rspamd's processes too)"). Other load: CPU used by neither side nor the load generator"
  echo "(other people's builds and tests, the sinks, the kernel); when it is high, the numbers are lower than they can be."
  echo
  if [ "$webhooks" != 0 ]; then
    echo "Webhooks: $webhooks endpoint(s) taking every event type$( [ "$webhook_batch" = 1 ] && echo ', in batches of up to 100 events per request' || echo ', one request per event'), on a local HTTPS receiver running at nice $receiver_nice."
    echo "Per endpoint: messages accepted in the run (warm-up included) whose accepted or delivered event never arrived, duplicate deliveries, and the lag from event time to receipt."
    echo
    echo "| connections | endpoint | missing | events received | duplicates | lag p50 ms | lag p99 ms | lag max ms |"
    echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    for conns in $connections; do
      h=${hooks[$conns]:-}
      for e in ${webhook_names//,/ }; do
        echo "| $conns | $e | $(num "$h" "${e}_missing") | $(num "$h" "${e}_events") | $(num "$h" "${e}_duplicates") | $(num "$h" "${e}_lag_p50_ms") | $(num "$h" "${e}_lag_p99_ms") | $(num "$h" "${e}_lag_max_ms") |"
      done
    done
    echo
  fi
  echo "## Details"
  echo
  for conns in $connections; do
    for side in $sides; do
      echo "- $side, $conns connections: ${cpu[$side,$conns]:-}"
      if [ "$side" = sendarix ] && [ -n "$(num "${result[$side,$conns]:-}" wait_ms)" ]; then
        r=${result[$side,$conns]}
        echo "  Where a 250's time went (means over the measured window): the client saw $(num "$r" mean_ms) ms from MAIL to the reply;"
        echo "  the relay took $(num "$r" data_ms) ms from the end of the data to the reply, $(num "$r" wait_ms) ms of it waiting in the acceptor"
        echo "  for a group commit of $(num "$r" batch) messages taking $(num "$r" commit_ms) ms (body $(num "$r" body_ms), rows $(num "$r" rows_ms), then work $(num "$r" work_ms) ms);"
        echo "  99% of messages waited in the acceptor at most $(num "$r" wait_p99_ms) ms. Azurite's table service, asked for nothing every 100 ms,"
        echo "  answered in p50 $(num "$r" storage_probe_p50_ms) ms, p99 $(num "$r" storage_probe_p99_ms) ms, at worst $(num "$r" storage_probe_max_ms) ms."
      fi
      echo "  \`${result[$side,$conns]:-no result}\`"
    done
  done
} > "$report"
cp "$report" "$results"
echo
cat "$report"
echo
say "written to ${results#"$root"/}"
