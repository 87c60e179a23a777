#!/usr/bin/env bash
# The cost of webhooks, measured: the Sendarix side of bench/run.sh without webhook endpoints and with two (every
# event type, on a local receiver), alternating (bench/ab.sh); writes bench/results/webhooks.md
# (bench/results/webhooks-batch.md with BENCH_WEBHOOK_BATCH=1) with both acceptance rates side by side, and whether
# every accepted and delivered event reached both endpoints, with the lag.
#   bench/webhooks.sh
# Environment: BENCH_ROUNDS (2), BENCH_WEBHOOK_BATCH (0: one request per event; 1: batches of up to 100), and
# everything bench/run.sh reads (BENCH_CONNECTIONS, BENCH_SECONDS, BENCH_RECEIVER_NICE, ...).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="$here/results/webhooks.md"
[ "${BENCH_WEBHOOK_BATCH:-0}" = 1 ] && out="$here/results/webhooks-batch.md"
AB_OUT="$out" AB_TITLE="Webhooks: acceptance with and without two endpoints" \
  AB_LABEL_A="without endpoints" AB_LABEL_B="with two endpoints" \
  AB_ENV_A="BENCH_WEBHOOKS=0" AB_ENV_B="BENCH_WEBHOOKS=2" \
  "$here/ab.sh"
