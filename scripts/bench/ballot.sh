#!/usr/bin/env bash
# The standard benchmark (issue 9) against ballot: 4 validators on loopback (`ballot testnet
# --local`), the built-in in-memory kvstore app (proxy_app = "kvstore", as cometbft.sh), and
# ballot's fastest settings: timeout_commit = "0s", skip_timeout_commit = true; everything else
# at its default. Usage:
#   scripts/bench/ballot.sh [smoke|fixed500|fixed1000|step]...   (default: fixed500 step)
# Results: $BENCH_OUT/ballot-<profile>.{json,svg,txt} (default build/bench). See lib.sh for the
# environment knobs; besides them:
#   BALLOT            a ballot binary to use (default: built into the temp dir)
#   BALLOT_REV        build ballot from this commit (git archive) instead of the working tree
#   BALLOT_LOG_LEVEL  the nodes' log_level (default "info"; "consensus:debug,*:info" logs each
#                     step of every height, for scripts/bench/heights.sh)
#   BALLOT_NODE_ARGS  extra `ballot start` flags for every node
#   BALLOT_CONSENSUS_<KEY>  overrides a [consensus] key on every node, e.g.
#                     BALLOT_CONSENSUS_TIMEOUT_COMMIT=100ms BALLOT_CONSENSUS_SKIP_TIMEOUT_COMMIT=false
#                     BALLOT_CONSENSUS_SKIP_TIMEOUT_COMMIT_TXS=100 (named in the summary's label)
# Needs go (unless BALLOT is set), jq, curl.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

BALLOT=${BALLOT:-}
BALLOT_PREBUILT=$BALLOT
BALLOT_REV=${BALLOT_REV:-}
if [ -n "$BALLOT_REV" ]; then
  BALLOT_REV=$(git -C "$BENCH_REPO" rev-parse --verify "$BALLOT_REV^{commit}") || bench_die "BALLOT_REV: no such commit"
fi
BALLOT_TREE=$(git -C "$BENCH_REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$BENCH_REPO" status --porcelain --untracked-files=no 2>/dev/null)" ]; then BALLOT_TREE+="+dirty"; fi
BALLOT_LOG_LEVEL=${BALLOT_LOG_LEVEL:-info}
BALLOT_NODE_ARGS=${BALLOT_NODE_ARGS:-}

# ballot_binary: the ballot binary, built once per session when BALLOT is not set: from
# BALLOT_REV exported by git archive (a clean tree), else from the working tree.
ballot_binary() {
  if [ -z "$BALLOT" ]; then
    BALLOT="$BENCH_DIR/ballot"
    local src=$BENCH_REPO
    if [ -n "$BALLOT_REV" ]; then
      src="$BENCH_DIR/src"
      mkdir -p "$src"
      git -C "$BENCH_REPO" archive "$BALLOT_REV" | tar -x -C "$src"
    fi
    bench_log "building ballot $(ballot_commit) from $src"
    (cd "$src" && go build -o "$BALLOT" ./cmd/ballot)
  fi
  [ -x "$BALLOT" ] || bench_die "no ballot binary at $BALLOT"
}

# ballot_commit: the commit ballot is built from, fixed when the script starts: BALLOT_REV's,
# or the checkout's HEAD with "+dirty" when its tree has uncommitted changes ("prebuilt" when
# BALLOT was given).
ballot_commit() {
  if [ -n "$BALLOT_PREBUILT" ]; then echo prebuilt; return; fi
  if [ -n "$BALLOT_REV" ]; then git -C "$BENCH_REPO" rev-parse --short "$BALLOT_REV"; return; fi
  echo "$BALLOT_TREE"
}

# ballot_label names the settings; BALLOT_CONSENSUS_* environment overrides (which the nodes
# inherit and which win over config.toml) are named too.
ballot_label() {
  local overrides
  overrides=$(env | grep '^BALLOT_CONSENSUS_' | sort | tr '\n' ' ')
  echo "ballot v$("$BALLOT" version) ($(ballot_commit)) kvstore, ${BENCH_NODES} validators, timeout_commit=0s skip_timeout_commit=true${overrides:+, overridden by: ${overrides% }}"
}

# ballot_make_network DIR: `ballot testnet --local` puts node i on ports base+10i+{0 p2p, 1 rpc,
# 4 prometheus}, as bench_port; then the app, the pprof address and the fastest settings.
ballot_make_network() {
  local dir=$1 i cfg
  ballot_binary
  "$BALLOT" testnet --v "$BENCH_NODES" --o "$dir" --local --p2p-port "$BENCH_PORT_BASE" \
    --local-port-stride 10 --local-app kvstore >/dev/null
  for ((i = 0; i < BENCH_NODES; i++)); do
    cfg="$dir/node$i/config/config.toml"
    [ "$(grep -c "tcp://127.0.0.1:$(bench_port "$i" rpc)\"" "$cfg")" -ge 1 ] ||
      bench_die "$cfg: rpc.laddr is not on port $(bench_port "$i" rpc)"
    toml_set "$cfg" "" moniker "\"node$i\""
    toml_set "$cfg" "" log_level "\"$BALLOT_LOG_LEVEL\""
    toml_set "$cfg" rpc pprof_laddr "\"127.0.0.1:$(bench_port "$i" pprof)\""
    toml_set "$cfg" consensus timeout_commit '"0s"'
    toml_set "$cfg" consensus skip_timeout_commit true
  done
}

# ballot_start_node DIR I LOG
ballot_start_node() {
  # shellcheck disable=SC2086
  "$BALLOT" start --home "$1/node$2" $BALLOT_NODE_ARGS >"$3" 2>&1 &
  bench_started $!
}

bench_main ballot "$@"
