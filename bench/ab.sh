#!/usr/bin/env bash
# Two settings of the relay side by side: the Sendarix side of bench/run.sh, each run on fresh storage, A and B
# alternating BENCH_ROUNDS times (odd rounds A first, even rounds B first, so a machine that drifts favours neither),
# and the acceptance rate of B over A taken over all of them. Used by bench/webhooks.sh and bench/compare.sh.
# Environment:
#   AB_OUT (the report), AB_TITLE, AB_INTRO (a sentence on what differs), AB_LABEL_A, AB_LABEL_B
#   AB_TREE_A, AB_TREE_B (the checkouts whose bench/run.sh runs; default this one)
#   AB_ENV_A, AB_ENV_B (space-separated NAME=value pairs for that side's runs)
#   BENCH_ROUNDS (2), and everything bench/run.sh reads (BENCH_CONNECTIONS, BENCH_SECONDS, ...)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tree_a=${AB_TREE_A:-$here/..}
tree_b=${AB_TREE_B:-$here/..}
rounds=${BENCH_ROUNDS:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=bench/ports.sh
. "$here/ports.sh"

run_side() { # side (a|b), round
  local tree env
  if [ "$1" = a ]; then tree=$tree_a env=${AB_ENV_A:-}; else tree=$tree_b env=${AB_ENV_B:-}; fi
  wait_ports
  # shellcheck disable=SC2086 # the pairs are meant to split
  env BENCH_SIDES=sendarix BENCH_RESULTS="$tmp/$1-$2.md" $env "$tree/bench/run.sh"
}
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then run_side a "$r"; run_side b "$r"; else run_side b "$r"; run_side a "$r"; fi
done

rate() { # report connections → accepted msg/s of the Sendarix row
  awk -F'|' -v c="$2" '$2 ~ "^ *"c" *$" && $3 ~ /Sendarix/ { gsub(/ /, "", $4); print $4; exit }' "$1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 == 0) print "n/a"; else printf "%.2f", b / a }'; }
{
  echo "# ${AB_TITLE:-A beside B}"
  echo
  echo "\`bench/run.sh\` (Sendarix side only), each run on fresh storage, $rounds rounds of one run of each, the odd rounds"
  echo "${AB_LABEL_A:-A} first, the even rounds ${AB_LABEL_B:-B} first."
  [ -z "${AB_INTRO:-}" ] || printf '\n%s\n' "$AB_INTRO"
  echo
  echo "| connections | round | accepted msg/s ${AB_LABEL_A:-A} | accepted msg/s ${AB_LABEL_B:-B} | ratio |"
  echo "| ---: | ---: | ---: | ---: | ---: |"
  for conns in ${BENCH_CONNECTIONS:-20 100}; do
    sa=0; sb=0
    for r in $(seq 1 "$rounds"); do
      a=$(rate "$tmp/a-$r.md" "$conns"); b=$(rate "$tmp/b-$r.md" "$conns")
      sa=$(awk -v x="$sa" -v y="$a" 'BEGIN { print x + y }'); sb=$(awk -v x="$sb" -v y="$b" 'BEGIN { print x + y }')
      echo "| $conns | $r | $a | $b | $(ratio "$a" "$b") |"
    done
    echo "| $conns | all | $(awk -v x="$sa" -v n="$rounds" 'BEGIN { printf "%.1f", x / n }') | $(awk -v x="$sb" -v n="$rounds" 'BEGIN { printf "%.1f", x / n }') | **$(ratio "$sa" "$sb")** |"
  done
  for r in $(seq 1 "$rounds"); do
    for side in a b; do
      label=$([ "$side" = a ] && echo "${AB_LABEL_A:-A}" || echo "${AB_LABEL_B:-B}")
      echo
      echo "## Round $r, $label"
      echo
      sed '1,2d' "$tmp/$side-$r.md"
    done
  done
} > "$AB_OUT"
cat "$AB_OUT"
echo "bench: written to $AB_OUT" >&2
