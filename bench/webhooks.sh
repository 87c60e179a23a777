#!/usr/bin/env bash
# The cost of webhooks, measured: the Sendarix side of bench/run.sh, each run on fresh storage, first with no
# webhook endpoint and then with two (every event type, on a local receiver), BENCH_ROUNDS times; writes bench/results/webhooks.md
# (bench/results/webhooks-batch.md with BENCH_WEBHOOK_BATCH=1) with both acceptance rates side by side, and whether
# every accepted and delivered event reached both endpoints, with the lag.
#   bench/webhooks.sh
# Environment: BENCH_ROUNDS (2: how many times the pair of runs alternates), BENCH_WEBHOOK_BATCH (0: one request per
# event; 1: batches of up to 100), and everything bench/run.sh reads (BENCH_CONNECTIONS, BENCH_SECONDS, ...).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="$here/results/webhooks.md"
[ "${BENCH_WEBHOOK_BATCH:-0}" = 1 ] && out="$here/results/webhooks-batch.md"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The services of one run take a moment to let go of their ports after it ends.
ports_free() {
  for port in 10100 10101 10102 10027 12587 18025 18090; do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 1
  done
  return 0
}
wait_ports() {
  for _ in $(seq 1 150); do ports_free && return 0; sleep 0.2; done
  echo "bench: the previous run's ports are still in use" >&2
  return 1
}

# The machine is shared and noisy: the runs alternate BENCH_ROUNDS times, and the ratio is taken over all of them
# (the sum of the rates with endpoints over the sum without). Odd rounds run without endpoints first, even rounds
# with them first (ABBA), so a machine that slows down, or speeds up, over the bench favours neither side.
rounds=${BENCH_ROUNDS:-2}
run_side() { # round, endpoints
  BENCH_SIDES=sendarix BENCH_WEBHOOKS=$2 BENCH_RESULTS="$tmp/$([ "$2" = 0 ] && echo without || echo with)-$1.md" "$here/run.sh"
}
for r in $(seq 1 "$rounds"); do
  [ "$r" = 1 ] || wait_ports
  if [ $((r % 2)) = 1 ]; then first=0 second=2; else first=2 second=0; fi
  run_side "$r" "$first"
  wait_ports
  run_side "$r" "$second"
done

rate() { # report connections → accepted msg/s of the Sendarix row
  awk -F'|' -v c="$2" '$2 ~ "^ *"c" *$" && $3 ~ /Sendarix/ { gsub(/ /, "", $4); print $4; exit }' "$1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 == 0) print "n/a"; else printf "%.2f", b / a }'; }
{
  echo "# Webhooks: acceptance with and without two endpoints"
  echo
  echo "\`bench/run.sh\` (Sendarix side only), each run on fresh storage, $rounds rounds of a run without webhook endpoints and one with two, the odd rounds without first, the even rounds with first."
  echo
  echo "| connections | round | accepted msg/s without | accepted msg/s with two endpoints | with / without |"
  echo "| ---: | ---: | ---: | ---: | ---: |"
  for conns in ${BENCH_CONNECTIONS:-20 100}; do
    sa=0; sb=0
    for r in $(seq 1 "$rounds"); do
      a=$(rate "$tmp/without-$r.md" "$conns"); b=$(rate "$tmp/with-$r.md" "$conns")
      sa=$(awk -v x="$sa" -v y="$a" 'BEGIN { print x + y }'); sb=$(awk -v x="$sb" -v y="$b" 'BEGIN { print x + y }')
      echo "| $conns | $r | $a | $b | $(ratio "$a" "$b") |"
    done
    echo "| $conns | all | $(awk -v x="$sa" -v n="$rounds" 'BEGIN { printf "%.1f", x / n }') | $(awk -v x="$sb" -v n="$rounds" 'BEGIN { printf "%.1f", x / n }') | **$(ratio "$sa" "$sb")** |"
  done
  for r in $(seq 1 "$rounds"); do
    echo
    echo "## Round $r without endpoints"
    echo
    sed '1,2d' "$tmp/without-$r.md"
    echo
    echo "## Round $r with two endpoints"
    echo
    sed '1,2d' "$tmp/with-$r.md"
  done
} > "$out"
cat "$out"
echo "bench: written to ${out#"$here"/}" >&2
