#!/usr/bin/env bash
# Runs a mixed network of ballot and CometBFT v0.38.26 validators on loopback and checks that
# they make one chain together: every node commits the same blocks, every validator signs and
# proposes, transactions sent to any node reach every node's application; then a ballot node is
# killed with -9 and restarted, and a wiped node of each kind catches up through block sync.
#
#   scripts/compat/mixed.sh 1   one ballot validator (node0) with three cometbft validators
#   scripts/compat/mixed.sh 3   three ballot validators (node0-2) with one cometbft (node3)
#   BALLOT=/path/to/ballot scripts/compat/mixed.sh 1
#
# Needs python3 and a cometbft binary (go install github.com/cometbft/cometbft/cmd/cometbft@v0.38.26).
# Uses loopback ports 38656-38695. Every wait is bounded; only the processes started here are
# stopped, by PID. Prints one line per check and exits 1 if any fails; the nodes' logs are kept
# in the printed directory when a check fails.
set -euo pipefail
BALLOTS=${1:?usage: mixed.sh <number of ballot validators, 1-3>}
COMETBFT=${COMETBFT:-$(go env GOPATH)/bin/cometbft}
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
declare -A pids=()
failed=0
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$failed" = 0 ]; then rm -rf "$work"; else echo "logs kept in $work"; fi
}
trap cleanup EXIT

if [ -z "${BALLOT:-}" ]; then
  go build -o "$work/ballot-bin" ./cmd/ballot
  BALLOT="$work/ballot-bin"
fi
"$BALLOT" testnet --v 4 --o "$work/net" --local --p2p-port 38656 >/dev/null
for i in 0 1 2 3; do
  sed -i -e 's/^timeout_commit = .*/timeout_commit = "500ms"/' "$work/net/node$i/config/config.toml"
done

kind() { if [ "$1" -lt "$BALLOTS" ]; then echo ballot; else echo cometbft; fi; }
start() { # start <i>: start node i with its kind's binary, appending to its log
  local bin=$BALLOT
  [ "$(kind "$1")" = cometbft ] && bin=$COMETBFT
  "$bin" start --home "$work/net/node$1" >>"$work/node$1.log" 2>&1 &
  pids[$1]=$!
}
stop() { # stop <i> <signal>
  kill "-$2" "${pids[$1]}" 2>/dev/null || true
  wait "${pids[$1]}" 2>/dev/null || true
  unset "pids[$1]"
}
for i in 0 1 2 3; do start "$i"; done

check() { # check <step>: run one step of the Python checker
  if ! python3 - "$1" "$BALLOTS" <<'PYTHON'; then failed=1; fi
import json, sys, time, urllib.request

step, ballots = sys.argv[1], int(sys.argv[2])
RPC = [f"http://127.0.0.1:{38657 + 10 * i}" for i in range(4)]
KIND = ["ballot" if i < ballots else "cometbft" for i in range(4)]
DEADLINE = 90  # seconds, for every wait


def get(i, path):
    with urllib.request.urlopen(RPC[i] + path, timeout=10) as r:
        return json.load(r)["result"]


def height(i):
    try:
        return int(get(i, "/status")["sync_info"]["latest_block_height"])
    except Exception:
        return 0


def wait_height(nodes, h):
    end = time.time() + DEADLINE
    while time.time() < end:
        if all(height(i) >= h for i in nodes):
            return True
        time.sleep(0.5)
    return False


def report(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        sys.exit(1)


def same_chain(nodes, upto):
    hashes = {}
    for h in range(1, upto + 1):
        seen = {get(i, f"/block?height={h}")["block_id"]["hash"] for i in nodes}
        if len(seen) != 1:
            return False, f"height {h}: {seen}"
        hashes[h] = seen.pop()
    return True, hashes


layout = ", ".join(f"node{i} {KIND[i]}" for i in range(4))
if step == "start":
    report(wait_height(range(4), 12), f"all four nodes reached height 12 ({layout})")
    ok, detail = same_chain(range(4), 12)
    report(ok, "every node committed the same blocks 1-12" if ok else f"chains differ at {detail}")
    vals = {v["address"]: i for i, v in enumerate(get(0, "/validators")["validators"])}
    signed, proposed = set(), set()
    for h in range(2, 13):
        c = get(0, f"/commit?height={h}")["signed_header"]
        proposed.add(c["header"]["proposer_address"])
        signed |= {s["validator_address"] for s in c["commit"]["signatures"] if s["block_id_flag"] == 2}
    report(signed == set(vals), f"every validator signed commits of heights 2-12 ({len(signed)}/4)")
    report(proposed == set(vals), f"every validator proposed a block among heights 2-12 ({len(proposed)}/4)")
elif step == "txs":
    for i in range(4):
        r = get(i, f'/broadcast_tx_commit?tx="via{i}=node{i}"')
        report(r["check_tx"]["code"] == 0 and r["tx_result"]["code"] == 0,
               f"a tx sent to node{i} ({KIND[i]}) was committed at height {r['height']}")
    wait_height(range(4), max(height(i) for i in range(4)) + 1)
    for i in range(4):
        missing = []
        for j in range(4):
            q = get(i, f'/abci_query?data="via{j}"')["response"]
            if q.get("value") is None:
                missing.append(j)
        report(not missing, f"node{i} ({KIND[i]}) has the txs sent to every node" + (f" (missing {missing})" if missing else ""))
    apps = {get(i, "/status")["sync_info"]["latest_app_hash"] for i in range(4) if wait_height([i], 1)}
    h = min(height(i) for i in range(4))
    hashes = {get(i, f"/block?height={h}")["block"]["header"]["app_hash"] for i in range(4)}
    report(len(hashes) == 1, f"one app hash at height {h} on every node: {hashes}")
elif step.startswith("rejoin:"):
    i = int(step.split(":")[1])
    target = max(height(j) for j in range(4)) + 5
    report(wait_height(range(4), target), f"node{i} ({KIND[i]}) is back and every node reached height {target}")
    ok, detail = same_chain(range(4), target)
    report(ok, f"every node still has the same blocks 1-{target}" if ok else f"chains differ at {detail}")
    q = get(i, '/abci_query?data="via0"')["response"]
    report(q.get("value") is not None, f"node{i} ({KIND[i]}) still has the committed txs")
else:
    sys.exit(f"unknown step {step}")
PYTHON
}

check start
[ "$failed" = 0 ] && check txs
if [ "$failed" = 0 ]; then # kill -9 a ballot node and restart it
  stop 0 9; sleep 3; start 0; check rejoin:0
fi
for i in 0 3; do # wipe one node of each kind: it catches up through block sync
  [ "$failed" = 0 ] || break
  stop "$i" TERM
  if [ "$(kind "$i")" = ballot ]; then bin=$BALLOT; else bin=$COMETBFT; fi
  "$bin" unsafe-reset-all --home "$work/net/node$i" >/dev/null 2>&1
  echo "     wiped node$i ($(kind "$i")); restarting it"
  start "$i"; check "rejoin:$i"
done
for i in 0 1 2 3; do # ballot should have logged no error while it worked with CometBFT
  [ "$(kind "$i")" = ballot ] || continue
  errors=$(grep -c "level=error" "$work/node$i.log" || true)
  echo "     node$i (ballot) logged $errors error lines"
  if [ "$errors" != 0 ]; then grep "level=error" "$work/node$i.log" | head -3 | cut -c1-300; fi
done
exit "$failed"
