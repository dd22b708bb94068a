#!/usr/bin/env bash
# The standard benchmark (issue 9) against CometBFT v0.38.26: 4 validators on loopback, the
# built-in kvstore app, "fastest settings" (timeout_commit = 0s, skip_timeout_commit = true),
# everything else at its default. Usage:
#   scripts/bench/cometbft.sh [fixed500|fixed1000|step]...   (default: fixed500 step)
# Results: $BENCH_OUT/cometbft-<profile>.{json,svg,txt} (default build/bench). See lib.sh for
# the environment knobs. Needs cometbft (COMETBFT, default $(go env GOPATH)/bin/cometbft), jq, curl.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

COMETBFT=${COMETBFT:-$(go env GOPATH)/bin/cometbft}
[ -x "$COMETBFT" ] || bench_die "no cometbft binary at $COMETBFT (go install github.com/cometbft/cometbft/cmd/cometbft@v0.38.26)"

cometbft_label() {
  echo "cometbft v$("$COMETBFT" version) kvstore, ${BENCH_NODES} validators, timeout_commit=0s skip_timeout_commit=true"
}

# cometbft_make_network DIR: `cometbft testnet`, then distinct loopback ports per node.
cometbft_make_network() {
  local dir=$1 i j cfg peers
  "$COMETBFT" testnet --v "$BENCH_NODES" --o "$dir" --starting-ip-address 127.0.0.1 >/dev/null
  local ids=()
  for ((i = 0; i < BENCH_NODES; i++)); do ids+=("$("$COMETBFT" show-node-id --home "$dir/node$i")"); done
  for ((i = 0; i < BENCH_NODES; i++)); do
    cfg="$dir/node$i/config/config.toml"
    peers=""
    for ((j = 0; j < BENCH_NODES; j++)); do
      [ "$j" -eq "$i" ] && continue
      peers+="${peers:+,}${ids[$j]}@127.0.0.1:$(bench_port "$j" p2p)"
    done
    toml_set "$cfg" "" proxy_app '"kvstore"'
    toml_set "$cfg" "" moniker "\"node$i\""
    toml_set "$cfg" rpc laddr "\"tcp://127.0.0.1:$(bench_port "$i" rpc)\""
    toml_set "$cfg" rpc pprof_laddr "\"127.0.0.1:$(bench_port "$i" pprof)\""
    toml_set "$cfg" p2p laddr "\"tcp://127.0.0.1:$(bench_port "$i" p2p)\""
    toml_set "$cfg" p2p persistent_peers "\"$peers\""
    toml_set "$cfg" p2p addr_book_strict false
    toml_set "$cfg" p2p allow_duplicate_ip true
    toml_set "$cfg" consensus timeout_commit '"0s"'
    toml_set "$cfg" consensus skip_timeout_commit true
    toml_set "$cfg" instrumentation prometheus_listen_addr "\"127.0.0.1:$(bench_port "$i" prom)\""
  done
}

# cometbft_start_node DIR I LOG
cometbft_start_node() {
  "$COMETBFT" start --home "$1/node$2" >"$3" 2>&1 &
  bench_started $!
}

bench_main cometbft "$@"
