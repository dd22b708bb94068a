#!/usr/bin/env bash
# Prints the standard benchmark's figures of several systems side by side, from the JSON
# summaries <sys>-fixed1000.json and <sys>-step.json in DIR (missing ones show as "-"):
#   scripts/bench/compare.sh [DIR] [SYS...]      (default: $BENCH_OUT or build/bench; ballot cometbft)
# Rows: each run's label; from the step run the highest rate that was sustained and the peak
# committed rate; from the fixed 1000 tx/s run the committed rate and the p50/p99 commit
# latency; CPU µs per committed tx (all nodes, and per node) and the highest peak RSS of one
# node, for each run. Needs jq.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=${1:-${BENCH_OUT:-$repo/build/bench}}
[ $# -gt 0 ] && shift
if [ $# -eq 0 ]; then set -- ballot cometbft; fi
command -v jq >/dev/null || { echo "compare: jq is needed" >&2; exit 1; }

# field SYS PROFILE JQ: one figure (jq expression over the summary), "-" if the run is missing.
field() {
  local f="$dir/$1-$2.json"
  if [ -f "$f" ]; then jq -r "$3 // \"-\"" "$f"; else echo "-"; fi
}

rows=(
  "step: highest sustained rate|step|if .saturation.reached then \"\(.saturation.max_sustained_rate_tps) tx/s\" else \"> \(.steps[-1].rate_tps) tx/s (not saturated)\" end"
  "step: peak committed (step)|step|\"\(.saturation.peak_committed_tps) tx/s\""
  "step: committed overall|step|\"\(.throughput.committed_tps) tx/s\""
  "step: CPU per committed tx|step|\"\(.resources.cpu_per_committed_tx_us) us (\(.resources.per_node_cpu_per_committed_tx_us)/node)\""
  "step: peak RSS (max node)|step|\"\(.resources.max_peak_rss_bytes / 1048576 | floor) MiB\""
  "1000 tx/s: committed|fixed1000|\"\(.throughput.committed_tps) tx/s of \(.throughput.offered_tps)\""
  "1000 tx/s: latency p50 / p99|fixed1000|\"\(.commit_latency.p50_ms | round) / \(.commit_latency.p99_ms | round) ms\""
  "1000 tx/s: block interval p50|fixed1000|\"\(.blocks.interval.p50_ms | round) ms, \(.blocks.txs_per_block_mean) txs/block\""
  "1000 tx/s: CPU per committed tx|fixed1000|\"\(.resources.cpu_per_committed_tx_us) us (\(.resources.per_node_cpu_per_committed_tx_us)/node)\""
  "1000 tx/s: peak RSS (max node)|fixed1000|\"\(.resources.max_peak_rss_bytes / 1048576 | floor) MiB\""
  "1000 tx/s: rejected + failed|fixed1000|\"\(.totals.rejected.mempool_full + .totals.rejected.cache + .totals.rejected.check_tx + .totals.rejected.other + .totals.failed)\""
)

for s in "$@"; do
  for p in fixed1000 step; do
    printf '%-10s %-9s %s  (%s)\n' "$s" "$p" "$(field "$s" "$p" .label)" "$(field "$s" "$p" .started_at)"
    if [ -f "$dir/$s-$p.txt" ]; then grep -h '^machine:' "$dir/$s-$p.txt" | sed 's/^/                     /' || true; fi
  done
done
echo
printf '%-32s' ""
for s in "$@"; do printf ' | %-30s' "$s"; done
echo
for r in "${rows[@]}"; do
  IFS='|' read -r name profile expr <<<"$r"
  printf '%-32s' "$name"
  for s in "$@"; do printf ' | %-30s' "$(field "$s" "$profile" "$expr")"; done
  echo
done
