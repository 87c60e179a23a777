#!/usr/bin/env bash
# What outbound spam filtering costs, beside the peers: bench/run.sh once with every side (the relay without
# filtering, Postfix, Haraka) and once with the Sendarix side alone and BENCH_SPAM=1 (a real rspamd scans every
# message before the relay's 250, DefaultPolicy Reject), each run on fresh storage; writes bench/results/spam.md with
# the acceptance rates and p99s side by side, then both full reports.
#   bench/spam.sh
# Environment: BENCH_RESULTS (bench/results/spam.md: where the report goes), BENCH_RSPAMD_WORKERS (1), and everything
# else bench/run.sh reads (BENCH_CONNECTIONS, BENCH_SECONDS, ...). BENCH_SIDES and BENCH_SPAM are set here.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${BENCH_RESULTS:-$here/results/spam.md}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=bench/ports.sh
. "$here/ports.sh"

wait_ports
env BENCH_SIDES="sendarix postfix haraka" BENCH_SPAM=0 BENCH_RESULTS="$tmp/plain.md" "$here/run.sh"
wait_ports
env BENCH_SIDES=sendarix BENCH_SPAM=1 BENCH_RESULTS="$tmp/spam.md" "$here/run.sh"

cell() { # report connections side-pattern column → that cell of the side's row in the first table (3: msg/s, 5: p99)
  awk -F'|' -v c="$2" -v s="$3" -v col="$(($4 + 1))" \
    '$2 ~ "^ *"c" *$" && $3 ~ s { v = $col; gsub(/ /, "", v); print v; exit }' "$1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "failed" || b == "failed" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
busy() { sed -n 's/.*, \([0-9.]*\) cores busy just before.*/\1/p' "$1" | head -n 1; }
{
  echo "# Outbound spam filtering: the relay with and without rspamd, beside Postfix and Haraka"
  echo
  echo "\`bench/run.sh\` twice, each on fresh storage: first every side with no filtering, then the Sendarix side alone with"
  echo "BENCH_SPAM=1: a real rspamd ($(rspamd --version 2>/dev/null | sed -n 's/.*version //p' | head -n 1), stock Debian rules, ${BENCH_RSPAMD_WORKERS:-1} normal worker(s)) scans every message"
  echo "(POST /checkv2, Sendarix__SpamFilter__DefaultPolicy=Reject) before the relay answers 250. The peers do not scan."
  echo "Cores busy just before (every side idle): $(busy "$tmp/plain.md") before the first run, $(busy "$tmp/spam.md") before the run with rspamd."
  echo
  echo "| connections | without rspamd msg/s | p99 ms | with rspamd msg/s | p99 ms | with/without msg/s, p99 | Postfix msg/s | p99 ms | Haraka msg/s | p99 ms | with rspamd/Postfix msg/s, p99 | with rspamd/Haraka msg/s, p99 |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for conns in ${BENCH_CONNECTIONS:-20 100}; do
    ar=$(cell "$tmp/plain.md" "$conns" Sendarix 3); ap=$(cell "$tmp/plain.md" "$conns" Sendarix 5)
    br=$(cell "$tmp/spam.md" "$conns" Sendarix 3); bp=$(cell "$tmp/spam.md" "$conns" Sendarix 5)
    pr=$(cell "$tmp/plain.md" "$conns" Postfix 3); pp=$(cell "$tmp/plain.md" "$conns" Postfix 5)
    hr=$(cell "$tmp/plain.md" "$conns" Haraka 3); hp=$(cell "$tmp/plain.md" "$conns" Haraka 5)
    echo "| $conns | $ar | $ap | $br | $bp | $(ratio "$br" "$ar"), $(ratio "$bp" "$ap") | $pr | $pp | $hr | $hp | $(ratio "$br" "$pr"), $(ratio "$bp" "$pp") | $(ratio "$br" "$hr"), $(ratio "$bp" "$hp") |"
  done
  echo
  echo "Ratios are rspamd-scanned relay over the other: above 1 is better for msg/s, below 1 for p99. The two runs are"
  echo "minutes apart on a shared machine; the \"other load\" column and the details of each report say how busy it was."
  echo
  # Both reports in full, their titles (the second says rspamd was on) one level down.
  sed 's/^## /### /; s/^# /## /' "$tmp/plain.md"
  echo
  sed 's/^## /### /; s/^# /## /' "$tmp/spam.md"
} > "$out"
cat "$out"
echo "bench: written to $out" >&2
