#!/usr/bin/env bash
# Cross-checks the operator files of ballot and CometBFT v0.38.26 both ways:
#   1. `cometbft init` files load in ballot, giving the same node ID and validator key;
#   2. `ballot init` files load in cometbft, giving the same node ID and validator key, and
#      cometbft runs a single-validator chain on them (config.toml, genesis, keys, sign state);
#   3. ballot reads the sign state cometbft wrote while signing.
# Needs a cometbft binary: go install github.com/cometbft/cometbft/cmd/cometbft@v0.38.26
# Uses loopback ports 36656/36657 only.
set -euo pipefail
COMETBFT=${COMETBFT:-$(go env GOPATH)/bin/cometbft}
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/ballot" ./cmd/ballot
ballot="$work/ballot"

same() { # same <what> <a> <b>
  if [ "$2" = "$3" ]; then echo "ok   $1: $2"; else echo "FAIL $1: ballot=$2 cometbft=$3"; exit 1; fi
}

echo "== cometbft init → ballot"
"$COMETBFT" init --home "$work/cmt" >/dev/null
same "node ID" "$("$ballot" show-node-id --home "$work/cmt")" "$("$COMETBFT" show-node-id --home "$work/cmt")"
same "validator" "$("$ballot" show-validator --home "$work/cmt")" "$("$COMETBFT" show-validator --home "$work/cmt")"
"$ballot" init --home "$work/cmt" | grep -q "Found genesis file" && echo "ok   ballot validates cometbft's genesis.json"

echo "== ballot init → cometbft"
"$ballot" init --home "$work/bal" >/dev/null
same "node ID" "$("$ballot" show-node-id --home "$work/bal")" "$("$COMETBFT" show-node-id --home "$work/bal")"
same "validator" "$("$ballot" show-validator --home "$work/bal")" "$("$COMETBFT" show-validator --home "$work/bal")"
timeout 6 "$COMETBFT" start --home "$work/bal" --proxy_app kvstore \
  --p2p.laddr tcp://127.0.0.1:36656 --rpc.laddr tcp://127.0.0.1:36657 >"$work/cmt.log" 2>&1 || true
heights=$(grep -c "committed state" "$work/cmt.log" || true)
if [ "$heights" -ge 2 ]; then echo "ok   cometbft committed $heights blocks on ballot's files"; else echo "FAIL cometbft made no blocks:"; tail -20 "$work/cmt.log"; exit 1; fi

echo "== cometbft's sign state → ballot"
"$ballot" show-validator --home "$work/bal" >/dev/null && echo "ok   ballot loads the sign state cometbft wrote: $(tr -d ' \n' < "$work/bal/data/priv_validator_state.json" | cut -c1-40)…"
