#!/usr/bin/env bash
# Runs bench/run.sh at an older commit and at this tree, interleaved, and prints one table with both.
#
#   bench/side-by-side.sh OLD_COMMIT [SCENARIO ...]     (scenarios as bench/run.sh; default: the five
#                                                        both commits have: dispatch latency scaling recovery memory)
#   BENCH_ROUNDS=N   rounds (default 3); each round runs every scenario once at OLD, then once here
#
# The machines are shared and their speed drifts, so a figure is only compared with one measured
# beside it: each round measures the old commit and this tree back to back, scenario by scenario.
# OLD_COMMIT is checked out in a git worktree under bench/out/ (its own ./grid build, its own harness).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ $# -ge 1 ] || { echo "usage: bench/side-by-side.sh OLD_COMMIT [SCENARIO ...]" >&2; exit 2; }
old=$(git rev-parse --verify --quiet "$1^{commit}") || { echo "bench/side-by-side.sh: '$1' is not a commit here; give a commit id or tag (git log --oneline)." >&2; exit 2; }
shift
scenarios=("$@")
[ "${#scenarios[@]}" -gt 0 ] || scenarios=(dispatch latency scaling recovery memory)
rounds="${BENCH_ROUNDS:-3}"

tree="$root/bench/out/old-${old:0:7}"
if [ ! -d "$tree" ]; then
  git worktree add --detach "$tree" "$old" >/dev/null
fi
rows="$(mktemp)"
trap 'rm -f "$rows"' EXIT

# One run of one scenario at one tree; its table rows become "which|scenario|figure|value" lines.
measure() {
  local which=$1 dir=$2 scenario=$3
  echo "bench/side-by-side.sh: $scenario at $which..." >&2
  BENCH_RUNS=1 "$dir/bench/run.sh" "$scenario" | awk -F' \\| ' -v which="$which" '
    /^\| / && !/^\| scenario/ && !/^\|---/ { sub(/^\| /, "", $1); split($3, m, " "); print which "|" $1 "|" $2 " (" m[2] ")|" m[1] }' >>"$rows"
}

for round in $(seq "$rounds"); do
  echo "bench/side-by-side.sh: round $round of $rounds" >&2
  for scenario in "${scenarios[@]}"; do
    measure old "$tree" "$scenario"
    measure new "$root" "$scenario"
  done
done

echo
echo "| scenario | figure | ${old:0:7}: median (least–most) | $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes'): median (least–most) | rounds |"
echo "|---|---|---|---|---|"
awk -F'|' '
  { key = $2 "|" $3; if (!(key in seen)) { seen[key] = 1; order[++keys] = key } values[$1, key, ++n[$1, key]] = $4 }
  function cell(which, key,   count, i, j, x, v, median) {
    count = n[which, key]
    if (!count) return "-"
    for (i = 1; i <= count; i++) v[i] = values[which, key, i] + 0
    for (i = 2; i <= count; i++) { x = v[i]; j = i - 1; while (j > 0 && v[j] > x) { v[j + 1] = v[j]; j-- } v[j + 1] = x }
    median = count % 2 ? v[(count + 1) / 2] : (v[count / 2] + v[count / 2 + 1]) / 2
    return sprintf("%g (%g–%g)", median, v[1], v[count])
  }
  END {
    for (k = 1; k <= keys; k++) {
      key = order[k]; split(key, parts, "|")
      rounds = n["new", key] > n["old", key] ? n["new", key] : n["old", key]
      printf "| %s | %s | %s | %s | %d |\n", parts[1], parts[2], cell("old", key), cell("new", key), rounds
    }
  }' "$rows"
echo
echo "$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
