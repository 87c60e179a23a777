#!/usr/bin/env bash
# A change on the hot path, measured before it lands: the Sendarix side of bench/run.sh at two revisions, each built
# in its own worktree, alternating (bench/ab.sh); writes bench/results/compare.md (or BENCH_RESULTS).
#   bench/compare.sh BASE [NEW]        (NEW defaults to HEAD; revisions as git takes them)
# Environment: BENCH_ROUNDS (2), and everything bench/run.sh reads.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: bench/compare.sh BASE [NEW]" >&2; exit 2; }
base=$(git -C "$root" rev-parse --short "$1")
new=$(git -C "$root" rev-parse --short "${2:-HEAD}")
trees=/tmp/sendarix-compare
cleanup() { git -C "$root" worktree remove --force "$trees/$base" 2>/dev/null; git -C "$root" worktree remove --force "$trees/$new" 2>/dev/null; }
trap cleanup EXIT
for rev in "$base" "$new"; do
  git -C "$root" worktree remove --force "$trees/$rev" 2>/dev/null || true
  git -C "$root" worktree add --detach "$trees/$rev" "$rev" >/dev/null
  # Azurite is installed once, in this checkout.
  ln -sfn "$root/node_modules" "$trees/$rev/node_modules"
  [ -x "$root/node_modules/.bin/azurite" ] || (cd "$root" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
done
AB_OUT="${BENCH_RESULTS:-$here/results/compare.md}" AB_TITLE="$new beside $base" \
  AB_INTRO="$(git -C "$root" log --format='- %h %s' "$base..$new" | cut -c1-160)" \
  AB_LABEL_A="$base" AB_LABEL_B="$new" AB_TREE_A="$trees/$base" AB_TREE_B="$trees/$new" \
  "$here/ab.sh"
