#!/usr/bin/env bash
# Compares the Prometheus metrics of ballot and CometBFT v0.38.26. For each system it runs two
# nodes on loopback — a validator and a full node peered with it, the built-in kvstore,
# instrumentation.prometheus = true — sends a few transactions through the validator's RPC,
# waits for a few more blocks, scrapes /metrics on both nodes and merges what they expose. Then
# it compares the metric families by name, type and label names, and prints:
#   - the cometbft_ families of each side, with type and labels, and whether they match;
#   - the families only one side exposes (CometBFT serves a family only once one of its series
#     is set; ballot serves the families without labels of their own from the start, at 0);
#   - the go_/process_/promhttp_ families apart: they come from the Prometheus client library
#     (both use v1.21.0; a different version would show here).
# Exits 1 if a cometbft_ family CometBFT exposes is missing from ballot or has another type or
# other labels.
#
#   scripts/compat/metrics.sh                 build ./cmd/ballot and compare
#   BALLOT=/path/to/ballot scripts/compat/metrics.sh
#   METRICS_COMPAT_SAVE=DIR scripts/compat/metrics.sh   also keep the four scrapes in DIR
#
# Needs python3 and a cometbft binary (go install github.com/cometbft/cometbft/cmd/cometbft@v0.38.26).
# Uses loopback ports 39156-39160 and 39256-39260 (cometbft), 39356-39360 and 39456-39460
# (ballot). Every wait is bounded; only the processes started here are stopped, by PID.
set -euo pipefail
COMETBFT=${COMETBFT:-$(go env GOPATH)/bin/cometbft}
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${BALLOT:-}" ]; then
  go build -o "$work/ballot-bin" ./cmd/ballot
  BALLOT="$work/ballot-bin"
fi

# setup <binary> <home> <prometheus port>: a fresh home with fast blocks and metrics on.
setup() {
  "$1" init --home "$2" >/dev/null 2>&1
  sed -i -e 's/^timeout_commit = .*/timeout_commit = "300ms"/' \
    -e 's/^prometheus = .*/prometheus = true/' \
    -e "s/^prometheus_listen_addr = .*/prometheus_listen_addr = \"127.0.0.1:$3\"/" \
    -e 's/^allow_duplicate_ip = .*/allow_duplicate_ip = true/' \
    -e 's/^addr_book_strict = .*/addr_book_strict = false/' "$2/config/config.toml"
}

# network <name> <binary> <base port>: validator a (ports base..base+4) and full node b
# (base+100..base+104) with a's genesis, b dialing a.
network() {
  local name=$1 bin=$2 base=$3
  setup "$bin" "$work/$name-a" $((base + 4))
  setup "$bin" "$work/$name-b" $((base + 104))
  cp "$work/$name-a/config/genesis.json" "$work/$name-b/config/genesis.json"
  local id
  id=$("$bin" show-node-id --home "$work/$name-a")
  "$bin" start --home "$work/$name-a" --proxy_app kvstore \
    --p2p.laddr "tcp://127.0.0.1:$base" --rpc.laddr "tcp://127.0.0.1:$((base + 1))" >"$work/$name-a.log" 2>&1 &
  pids+=($!)
  "$bin" start --home "$work/$name-b" --proxy_app kvstore --p2p.persistent_peers "$id@127.0.0.1:$base" \
    --p2p.laddr "tcp://127.0.0.1:$((base + 100))" --rpc.laddr "tcp://127.0.0.1:$((base + 101))" >"$work/$name-b.log" 2>&1 &
  pids+=($!)
}

network cometbft "$COMETBFT" 39156
network ballot "$BALLOT" 39356

if ! python3 - "$work" "${METRICS_COMPAT_SAVE:-}" <<'PYTHON'; then
import json, os, re, sys, time, urllib.request

WORK, SAVE = sys.argv[1:3]
DEADLINE = 60  # seconds, for every wait below
SYSTEMS = {"cometbft": 39156, "ballot": 39356}


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode()


def height(rpc):
    try:
        return int(json.loads(get(rpc + "/status"))["result"]["sync_info"]["latest_block_height"])
    except (OSError, ValueError, KeyError):
        return -1


def wait(what, cond):
    end = time.time() + DEADLINE
    while time.time() < end:
        if cond():
            return
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


def drive(name, base):
    """Transactions through the validator, then both nodes past the height that holds them."""
    a, b = f"http://127.0.0.1:{base + 1}", f"http://127.0.0.1:{base + 101}"
    wait(f"{name}: both nodes at height 2", lambda: height(a) >= 2 and height(b) >= 2)
    for i in range(5):
        get(a + f'/broadcast_tx_commit?tx="metrics-{name}-{i}=v{i}"')
    target = height(a) + 3
    wait(f"{name}: both nodes at height {target}", lambda: height(a) >= target and height(b) >= target)


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? ')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"')


def families(text):
    """{family: (type, sorted label names)} from one exposition."""
    types, labels = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, fam, typ = line.split()
            types[fam] = typ
            labels.setdefault(fam, set())
        elif line and not line.startswith("#"):
            m = SAMPLE.match(line)
            if not m:
                continue
            name = m.group(1)
            fam = name
            for suffix in ("_bucket", "_sum", "_count"):
                if name.endswith(suffix) and name[: -len(suffix)] in types:
                    fam = name[: -len(suffix)]
            names = set(LABEL.findall(m.group(2) or "")) - {"le", "quantile"}
            labels.setdefault(fam, set()).update(names)
    return {f: (types.get(f, "?"), ",".join(sorted(labels.get(f, ())))) for f in types}


exposed = {}
for name, base in SYSTEMS.items():
    drive(name, base)
    merged = {}
    for node, port in (("a", base + 4), ("b", base + 104)):
        text = get(f"http://127.0.0.1:{port}/metrics")
        if SAVE:
            os.makedirs(SAVE, exist_ok=True)
            with open(os.path.join(SAVE, f"{name}-{node}.metrics"), "w") as f:
                f.write(text)
        for fam, (typ, labs) in families(text).items():
            old = merged.get(fam)
            if old:
                labs = ",".join(sorted(set(filter(None, old[1].split(","))) | set(filter(None, labs.split(",")))))
            merged[fam] = (typ, labs)
    exposed[name] = merged

cmt, bal = exposed["cometbft"], exposed["ballot"]
ours = lambda f: f.startswith("cometbft_")
failed = 0
print(f"{'family':<52} {'cometbft':<40} {'ballot':<40} verdict")
for fam in sorted(f for f in set(cmt) | set(bal) if ours(f)):
    c, b = cmt.get(fam), bal.get(fam)
    show = lambda x: f"{x[0]} {{{x[1]}}}" if x else "-"
    if c and b:
        verdict = "ok" if c == b else "DIFF"
    elif c:
        verdict = "MISSING in ballot"
    else:
        verdict = "ballot only"
    if verdict in ("DIFF", "MISSING in ballot"):
        failed += 1
    print(f"{fam:<52} {show(c):<40} {show(b):<40} {verdict}")

lib_c = {f for f in cmt if not ours(f)}
lib_b = {f for f in bal if not ours(f)}
print()
print(f"client library families: {len(lib_c & lib_b)} on both sides")
print("  only cometbft's: " + (", ".join(sorted(lib_c - lib_b)) or "none"))
print("  only ballot's:   " + (", ".join(sorted(lib_b - lib_c)) or "none"))
n_c = sum(1 for f in cmt if ours(f))
n_b = sum(1 for f in bal if ours(f))
print()
print(f"cometbft_ families: cometbft exposes {n_c}, ballot {n_b}; {failed} of cometbft's missing or different in ballot")
sys.exit(1 if failed else 0)
PYTHON
  echo "--- logs (last lines)"
  for f in "$work"/*.log; do echo "== $f"; tail -5 "$f"; done
  exit 1
fi
