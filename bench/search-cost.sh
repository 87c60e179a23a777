#!/usr/bin/env bash
# The cost of message search, measured: the Sendarix side of bench/run.sh with search off (Sendarix:Search:Enabled
# false: no summaries or index rows) and on, alternating (bench/ab.sh); writes bench/results/search-cost.md with both
# acceptance rates side by side. Statistics are counted on both sides.
#   bench/search-cost.sh
# Environment: BENCH_ROUNDS (2), and everything bench/run.sh reads (BENCH_CONNECTIONS, BENCH_SECONDS, ...).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
AB_OUT="${BENCH_RESULTS:-$here/results/search-cost.md}" AB_TITLE="Message search: acceptance with search off and on" \
  AB_INTRO="The same build; A runs with Sendarix__Search__Enabled=false (no search rows written), B with search on (the default)." \
  AB_LABEL_A="search off" AB_LABEL_B="search on" \
  AB_ENV_A="Sendarix__Search__Enabled=false" AB_ENV_B="Sendarix__Search__Enabled=true" \
  "$here/ab.sh"
