#!/usr/bin/env bash
# ballot's kvstore, served by ballot's abci-cli on a socket, drives a real CometBFT v0.38.26 node:
# the node makes blocks, commits a transaction, and the app answers a query for it.
# Needs: go install github.com/cometbft/cometbft/cmd/cometbft@v0.38.26. Loopback ports 36656-36658.
set -euo pipefail
COMETBFT=${COMETBFT:-$(go env GOPATH)/bin/cometbft}
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/abci-cli" ./cmd/abci-cli
"$work/abci-cli" kvstore --address tcp://127.0.0.1:36658 --persist "$work/app" >"$work/app.log" 2>&1 &
pids+=($!)
"$COMETBFT" init --home "$work/cmt" >/dev/null
"$COMETBFT" start --home "$work/cmt" --proxy_app tcp://127.0.0.1:36658 \
  --p2p.laddr tcp://127.0.0.1:36656 --rpc.laddr tcp://127.0.0.1:36657 >"$work/cmt.log" 2>&1 &
pids+=($!)

rpc=http://127.0.0.1:36657
for _ in $(seq 1 50); do # bounded wait for the node's RPC
  curl -sf "$rpc/status" >/dev/null && break
  sleep 0.2
done
echo "broadcast_tx_commit ballot=rocks:"
curl -sf "$rpc/broadcast_tx_commit?tx=\"ballot=rocks\"" | grep -o '"tx_result":{"code":[0-9]*' 
echo "abci_query ballot (value is base64 of rocks = cm9ja3M=):"
curl -sf "$rpc/abci_query?data=\"ballot\"" | grep -o '"value":"[^"]*"'
echo "latest height: $(curl -sf "$rpc/status" | grep -o '"latest_block_height":"[0-9]*"')"
