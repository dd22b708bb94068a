# shellcheck shell=bash
# Common parts of the standard benchmark (issue 9): a 4-validator network on loopback, the
# kvstore app, unique 250-byte transactions through the JSON-RPC, measured by ballot-load.
# Sourced by cometbft.sh (and by a ballot.sh built the same way). A system script provides:
#   <sys>_make_network DIR     create node homes DIR/node0..node{N-1} with bench_port ports
#   <sys>_start_node DIR I LOG start node I in the background (must end with: bench_started $!)
#   <sys>_label                one line naming the system, its version and settings
# and then calls bench_main <sys> "$@".
#
# Environment:
#   BENCH_NODES      validators (4)             BENCH_PORT_BASE  first port (32200)
#   BENCH_OUT        results dir (build/bench)  BENCH_TRANSPORT  http-batch (http, websocket)
#   BENCH_BATCH      txs per batch (10)         BENCH_MODE       async (sync)
#   BENCH_CONNS      connections/endpoint (4)   BENCH_KEEP=1     keep the temp dir
#   BENCH_LOAD_ARGS  extra ballot-load flags
#   BENCH_ROUNDS=1   also time each height's consensus phases (roundtimes) -> <out>-rounds.*
#   BENCH_PERF=1     also sample the nodes with perf (BENCH_PERF_FREQ Hz, 499) -> <out>-perf.*,
#                    split by kind of work in <out>-perf-split.txt (perfsplit)
# Every wait is bounded; only processes started here are stopped, by PID.

set -euo pipefail

BENCH_NODES=${BENCH_NODES:-4}
BENCH_PORT_BASE=${BENCH_PORT_BASE:-32200}
BENCH_TRANSPORT=${BENCH_TRANSPORT:-http-batch}
BENCH_BATCH=${BENCH_BATCH:-10}
BENCH_MODE=${BENCH_MODE:-async}
BENCH_CONNS=${BENCH_CONNS:-4}
BENCH_LOAD_ARGS=${BENCH_LOAD_ARGS:-}
BENCH_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_OUT=${BENCH_OUT:-$BENCH_REPO/build/bench}

BENCH_PIDS=()
BENCH_OBSERVERS=()
BENCH_DIR=""

bench_log() { printf '%s bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
bench_die() { bench_log "error: $*"; exit 1; }

# bench_port I KIND: the loopback port of node I for KIND (p2p rpc abci pprof prom).
bench_port() {
  local off
  case $2 in
    p2p) off=0 ;; rpc) off=1 ;; abci) off=2 ;; pprof) off=3 ;; prom) off=4 ;;
    *) bench_die "unknown port kind $2" ;;
  esac
  echo $((BENCH_PORT_BASE + 10 * $1 + off))
}

# bench_endpoints: the nodes' RPC URLs, comma-separated.
bench_endpoints() {
  local i out=""
  for ((i = 0; i < BENCH_NODES; i++)); do
    out+="${out:+,}http://127.0.0.1:$(bench_port "$i" rpc)"
  done
  echo "$out"
}

# toml_set FILE SECTION KEY VALUE: set KEY (in [SECTION]; "" = top level) to the raw TOML
# VALUE; fails when the key is not in the file.
toml_set() {
  awk -v sec="$2" -v key="$3" -v val="$4" '
    /^\[[^]]*\][ \t]*$/ { cur = $0; sub(/^\[/, "", cur); sub(/\][ \t]*$/, "", cur) }
    cur == sec && index($0, key " =") == 1 { print key " = " val; found = 1; next }
    { print }
    END { if (!found) exit 3 }' "$1" >"$1.tmp" || { rm -f "$1.tmp"; bench_die "$1: no key $3 in [$2]"; }
  mv "$1.tmp" "$1"
}

# bench_started PID: record a node process started by this script.
bench_started() { BENCH_PIDS+=("$1"); }

# bench_stop: stop the recorded processes (TERM, then KILL after 15 s), by PID only.
bench_stop() {
  local pid i
  for pid in "${BENCH_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${BENCH_PIDS[@]}"; do
    for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      bench_log "pid $pid did not stop in 15s, killing"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  BENCH_PIDS=()
}

bench_cleanup() {
  local pid
  for pid in "${BENCH_OBSERVERS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  bench_stop
  if [ -n "$BENCH_DIR" ] && [ "${BENCH_KEEP:-0}" != 1 ]; then rm -rf "$BENCH_DIR"; fi
  if [ -n "$BENCH_DIR" ] && [ "${BENCH_KEEP:-0}" = 1 ]; then bench_log "kept $BENCH_DIR"; fi
}

# bench_height URL: latest block height of the node at URL ("" if it does not answer).
bench_height() {
  curl -s --max-time 2 "$1/status" | jq -r '.result.sync_info.latest_block_height // empty' 2>/dev/null || true
}

# bench_wait_blocks MIN_HEIGHT TIMEOUT_S: wait until every node reports a height ≥ MIN_HEIGHT.
bench_wait_blocks() {
  local deadline=$((SECONDS + $2)) i h url
  for ((i = 0; i < BENCH_NODES; i++)); do
    url="http://127.0.0.1:$(bench_port "$i" rpc)"
    while :; do
      h=$(bench_height "$url")
      if [ -n "$h" ] && [ "$h" -ge "$1" ]; then break; fi
      if ((SECONDS >= deadline)); then bench_die "node$i ($url) not at height $1 after $2s (height '${h}')"; fi
      sleep 0.2
    done
  done
}

# bench_profile NAME: the ballot-load flags of a benchmark profile.
bench_profile() {
  case $1 in
    smoke) echo "--rate 200 --duration 5s" ;;
    fixed500) echo "--rate 500 --duration 30s" ;;
    fixed1000) echo "--rate 1000 --duration 30s" ;;
    step) echo "--step-from 500 --step-by 250 --step-every 10s --until-saturation --saturation-patience 3 --duration 3m" ;;
    idle) echo "" ;; # no load: bench_idle measures the CPU of empty heights
    *) bench_die "unknown profile $1 (smoke, fixed500, fixed1000, step, idle)" ;;
  esac
}

# bench_run SYS PROFILE: one profile on a fresh network.
bench_run() {
  local sys=$1 profile=$2 i procs="" label out
  local net="$BENCH_DIR/$profile"
  mkdir -p "$net"
  "${sys}_make_network" "$net"
  for ((i = 0; i < BENCH_NODES; i++)); do
    "${sys}_start_node" "$net" "$i" "$net/node$i.log"
  done
  for ((i = 0; i < BENCH_NODES; i++)); do procs+="${procs:+,}node$i=${BENCH_PIDS[$i]}"; done
  bench_log "$sys: ${BENCH_NODES} nodes started (pids ${BENCH_PIDS[*]}), waiting for blocks"
  bench_wait_blocks 3 90
  label="$("${sys}_label")"
  out="$BENCH_OUT/$sys-$profile"
  bench_log "$sys/$profile: $label"
  bench_observe_start "$out" "$label"
  local load0
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  if [ "$profile" = idle ]; then
    bench_idle "$label" "$out" "$load0"
    bench_observe_stop "$out"
    bench_stop
    bench_log "$sys/$profile: wrote $out.json $out.txt"
    return
  fi
  # shellcheck disable=SC2046,SC2086
  "$BENCH_DIR/ballot-load" --endpoints "$(bench_endpoints)" --size 250 \
    --transport "$BENCH_TRANSPORT" --batch "$BENCH_BATCH" --mode "$BENCH_MODE" --connections "$BENCH_CONNS" \
    --proc "$procs" --label "$label" --json "$out.json" --plot "$out.svg" \
    $(bench_profile "$profile") $BENCH_LOAD_ARGS | tee "$out.txt"
  echo "machine:    $(nproc) CPUs; load average $load0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end" | tee -a "$out.txt"
  bench_observe_stop "$out"
  bench_stop
  bench_log "$sys/$profile: wrote $out.json $out.svg $out.txt"
}

# bench_cpu_ticks: the CPU time (user + system, in clock ticks) the node processes used so far.
bench_cpu_ticks() {
  local pid total=0
  for pid in "${BENCH_PIDS[@]}"; do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}

# bench_idle LABEL OUT LOAD0: with no load, count the heights node0 commits in BENCH_IDLE_SECONDS
# (20) and the nodes' CPU time meanwhile: the fixed cost of a height, which bounds how cheap a
# transaction can be in small blocks. Writes OUT.txt and OUT.json.
bench_idle() {
  local secs=${BENCH_IDLE_SECONDS:-20} url h0 h1 t0 t1 tck heights cpu_ms
  url="http://127.0.0.1:$(bench_port 0 rpc)"
  h0=$(bench_height "$url")
  t0=$(bench_cpu_ticks)
  sleep "$secs"
  h1=$(bench_height "$url")
  t1=$(bench_cpu_ticks)
  tck=$(getconf CLK_TCK)
  heights=$((h1 - h0))
  ((heights > 0)) || bench_die "idle: no height committed in ${secs}s"
  cpu_ms=$(((t1 - t0) * 1000 / tck))
  {
    echo "== $1 =="
    echo "idle:       $heights empty heights in ${secs}s ($((heights / secs)) per second); nodes' CPU ${cpu_ms} ms"
    echo "cpu:        $((cpu_ms * 1000 / heights)) µs per height (all ${BENCH_NODES} nodes), $((cpu_ms * 1000 / heights / BENCH_NODES)) µs per node"
    echo "machine:    $(nproc) CPUs; load average $3 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  } | tee "$2.txt"
  jq -n --arg lbl "$1" --argjson secs "$secs" --argjson heights "$heights" --argjson cpu_ms "$cpu_ms" \
    --argjson nodes "$BENCH_NODES" \
    '{"label": $lbl, seconds: $secs, heights: $heights, cpu_ms: $cpu_ms,
      cpu_per_height_us: ($cpu_ms * 1000 / $heights), cpu_per_height_per_node_us: ($cpu_ms * 1000 / $heights / $nodes)}' >"$2.json"
}

# bench_observe_start OUT LABEL: with BENCH_ROUNDS=1, watch every node's consensus events
# (roundtimes) into OUT-rounds.{json,txt}; with BENCH_PERF=1, sample the nodes' stacks with
# perf into OUT-perf.data. Both run until bench_observe_stop.
bench_observe_start() {
  local pids
  if [ "${BENCH_ROUNDS:-0}" = 1 ]; then
    "$BENCH_DIR/roundtimes" --endpoints "$(bench_endpoints)" --duration 0 --label "$2" \
      --json "$1-rounds.json" >"$1-rounds.txt" 2>&1 &
    BENCH_OBSERVERS+=("$!")
  fi
  if [ "${BENCH_PERF:-0}" = 1 ]; then
    pids=$(IFS=,; echo "${BENCH_PIDS[*]}")
    perf record -F "${BENCH_PERF_FREQ:-499}" -g -p "$pids" -o "$1-perf.data" >"$1-perf.log" 2>&1 &
    BENCH_OBSERVERS+=("$!")
  fi
}

# bench_observe_stop OUT: stop the observers (SIGINT, by PID) and summarize the perf samples.
bench_observe_stop() {
  local pid i
  for pid in "${BENCH_OBSERVERS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in "${BENCH_OBSERVERS[@]}"; do
    for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  BENCH_OBSERVERS=()
  if [ "${BENCH_ROUNDS:-0}" = 1 ]; then bench_log "wrote $1-rounds.json $1-rounds.txt"; fi
  if [ "${BENCH_PERF:-0}" = 1 ] && [ -s "$1-perf.data" ]; then
    perf report -i "$1-perf.data" --stdio --no-children --sort symbol --percent-limit 0.3 -g none \
      >"$1-perf-self.txt" 2>/dev/null || true
    perf report -i "$1-perf.data" --stdio --children --sort symbol --percent-limit 1 -g none \
      >"$1-perf-children.txt" 2>/dev/null || true
    perf script -i "$1-perf.data" -F comm,pid,ip,sym 2>/dev/null |
      "$BENCH_DIR/perfsplit" --summary "$1.json" >"$1-perf-split.txt" || true
    bench_log "wrote $1-perf.data $1-perf-split.txt $1-perf-self.txt $1-perf-children.txt"
  fi
}

# bench_main SYS [PROFILE...]: build ballot-load, then run each profile (default: fixed500 step).
bench_main() {
  local sys=$1 p
  shift
  command -v jq >/dev/null || bench_die "jq is needed"
  command -v curl >/dev/null || bench_die "curl is needed"
  BENCH_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ballot-bench.XXXXXX")
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  mkdir -p "$BENCH_OUT"
  (cd "$BENCH_REPO" && go build -o "$BENCH_DIR/ballot-load" ./cmd/ballot-load)
  if [ "${BENCH_ROUNDS:-0}" = 1 ]; then
    (cd "$BENCH_REPO" && go build -o "$BENCH_DIR/roundtimes" ./scripts/bench/roundtimes)
  fi
  if [ "${BENCH_PERF:-0}" = 1 ]; then
    command -v perf >/dev/null || bench_die "BENCH_PERF=1 needs perf"
    (cd "$BENCH_REPO" && go build -o "$BENCH_DIR/perfsplit" ./scripts/bench/perfsplit)
  fi
  if [ $# -eq 0 ]; then set -- fixed500 step; fi
  for p in "$@"; do bench_profile "$p" >/dev/null; done
  for p in "$@"; do bench_run "$sys" "$p"; done
}
