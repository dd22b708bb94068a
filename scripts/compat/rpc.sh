#!/usr/bin/env bash
# Compares the RPC of ballot and CometBFT v0.38.26: runs one single-validator node of each on
# loopback with the built-in kvstore app, drives both through the same scenario (transactions
# through every broadcast route, subscriptions over the websocket), calls every route (URI and
# JSON-RPC transports, error cases included) on both, and compares the KEY SETS and VALUE
# ENCODINGS of the answers — not the values, except error texts, which must be the same once
# numbers and hashes are masked. The scenario also signs two conflicting prevotes with each
# node's validator key and submits them with broadcast_evidence, so that blocks, block results and
# events carrying evidence and a validator update (the kvstore lowers the equivocator's power)
# are compared too. Prints a table: route, ok/diff (with the differing paths). Exits 1 if any
# answer differs.
#
#   scripts/compat/rpc.sh                 build ./cmd/ballot and compare
#   BALLOT=/path/to/ballot scripts/compat/rpc.sh
#   RPC_COMPAT_SAVE=DIR scripts/compat/rpc.sh   also save every raw answer under DIR/{ballot,cometbft}
#
# Needs python3 with the cryptography package and a cometbft binary (go install github.com/cometbft/cometbft/cmd/cometbft@v0.38.26).
# Uses loopback ports 37656-37657 (cometbft) and 37756-37757 (ballot). Every wait is bounded;
# only the processes started here are stopped, by PID.
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

# setup <binary> <home>: a fresh single-validator home with fast blocks.
setup() {
  "$1" init --home "$2" >/dev/null 2>&1
  sed -i -e 's/^timeout_commit = .*/timeout_commit = "300ms"/' -e 's/^moniker = .*/moniker = "compat"/' "$2/config/config.toml"
}
setup "$COMETBFT" "$work/cmt"
setup "$BALLOT" "$work/bal"

"$COMETBFT" start --home "$work/cmt" --proxy_app kvstore --rpc.unsafe \
  --p2p.laddr tcp://127.0.0.1:37656 --rpc.laddr tcp://127.0.0.1:37657 >"$work/cmt.log" 2>&1 &
pids+=($!)
"$BALLOT" start --home "$work/bal" --proxy_app kvstore --rpc.unsafe \
  --p2p.laddr tcp://127.0.0.1:37756 --rpc.laddr tcp://127.0.0.1:37757 >"$work/bal.log" 2>&1 &
pids+=($!)

if ! python3 - "http://127.0.0.1:37657" "http://127.0.0.1:37757" "${RPC_COMPAT_SAVE:-}" "$work/cmt" "$work/bal" <<'PYTHON'; then
import base64, calendar, json, os, re, socket, sys, time, urllib.parse, urllib.request

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

CMT, BAL, SAVE, CMT_HOME, BAL_HOME = sys.argv[1:6]
DEADLINE = 60  # seconds, for every wait below


def http(base, path, body=None):
    """GET base/path (or POST body to base/) and return (status, parsed JSON or raw text)."""
    req = urllib.request.Request(base + path, data=body,
                                 headers={"Content-Type": "application/json"} if body else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def qs(**params):
    """A URL query string of JSON-quoted string parameters."""
    return "&".join(f"{k}=" + urllib.parse.quote(json.dumps(v)) for k, v in params.items())


def wait_height(base, h):
    end = time.time() + DEADLINE
    while time.time() < end:
        try:
            _, r = http(base, "/status")
            if int(r["result"]["sync_info"]["latest_block_height"]) >= h:
                return
        except (OSError, KeyError, TypeError, ValueError):
            pass
        time.sleep(0.2)
    sys.exit(f"{base}: no height {h} within {DEADLINE}s")


class WS:
    """A minimal websocket client (RFC 6455 text frames) for JSON-RPC subscriptions."""

    def __init__(self, base):
        u = urllib.parse.urlparse(base)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=DEADLINE)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /websocket HTTP/1.1\r\nHost: {u.netloc}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise OSError("websocket handshake: connection closed")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise OSError("websocket handshake refused: " + head.decode(errors="replace"))

    def send(self, obj, opcode=1):
        data = json.dumps(obj).encode() if opcode == 1 else obj
        mask = os.urandom(4)
        n = len(data)
        hdr = bytes([0x80 | opcode])
        if n < 126:
            hdr += bytes([0x80 | n])
        elif n < 65536:
            hdr += bytes([0x80 | 126]) + n.to_bytes(2, "big")
        else:
            hdr += bytes([0x80 | 127]) + n.to_bytes(8, "big")
        self.sock.sendall(hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise OSError("websocket closed")
            buf += chunk
        return buf

    def recv(self):
        """Return the next text message as JSON, answering pings."""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = int.from_bytes(self._read(2), "big")
            elif n == 127:
                n = int.from_bytes(self._read(8), "big")
            payload = self._read(n)
            opcode = b0 & 0x0F
            if opcode == 9:
                self.send(payload, opcode=10)
            elif opcode == 8:
                raise OSError("websocket closed by server")
            elif opcode == 1:
                return json.loads(payload)

    def call(self, id_, method, params):
        self.send({"jsonrpc": "2.0", "id": id_, "method": method, "params": params})


def uvarint(n):
    out = b""
    while n > 0x7F:
        out += bytes([n & 0x7F | 0x80])
        n >>= 7
    return out + bytes([n])


def pb(num, value):
    """One protobuf field: an int is a varint, bytes are length-delimited; zero values omitted
    except for messages (bytes fields passed as a tuple (payload,) are always written)."""
    if isinstance(value, tuple):
        return uvarint(num << 3 | 2) + uvarint(len(value[0])) + value[0]
    if isinstance(value, int):
        return uvarint(num << 3) + uvarint(value) if value else b""
    return uvarint(num << 3 | 2) + uvarint(len(value)) + value if value else b""


def sfixed64(num, value):
    return uvarint(num << 3 | 1) + value.to_bytes(8, "little", signed=True) if value else b""


def vote_sign_bytes(chain_id, vote_type, height, block_hash, parts_hash, time_text):
    """The length-delimited CanonicalVote a validator signs (round 0, one part)."""
    main, _, frac = time_text.rstrip("Z").partition(".")
    secs = calendar.timegm(time.strptime(main, "%Y-%m-%dT%H:%M:%S"))
    nanos = int((frac + "000000000")[:9])
    parts = pb(1, 1) + pb(2, parts_hash)
    block_id = pb(1, block_hash) + pb(2, (parts,))
    msg = (pb(1, vote_type) + sfixed64(2, height) + pb(4, (block_id,)) +
           pb(5, (pb(1, secs) + pb(2, nanos),)) + pb(6, chain_id.encode()))
    return uvarint(len(msg)) + msg


def duplicate_vote_evidence(base, home, height):
    """Evidence that the node's own validator prevoted for two blocks at height, in the JSON
    form broadcast_evidence takes (CometBFT's keys: TotalVotingPower, ValidatorPower, Timestamp)."""
    with open(os.path.join(home, "config", "priv_validator_key.json")) as f:
        key = json.load(f)
    priv = Ed25519PrivateKey.from_private_bytes(base64.b64decode(key["priv_key"]["value"])[:32])
    chain_id = http(base, "/status")[1]["result"]["node_info"]["network"]
    block_time = http(base, f"/block?height={height}")[1]["result"]["block"]["header"]["time"]
    vals = http(base, f"/validators?height={height}")[1]["result"]["validators"]
    power = next(v["voting_power"] for v in vals if v["address"] == key["address"])
    total = sum(int(v["voting_power"]) for v in vals)

    def vote(fill):
        block_hash, parts_hash = bytes([fill]) * 32, bytes([fill + 16]) * 32
        sig = priv.sign(vote_sign_bytes(chain_id, 1, height, block_hash, parts_hash, block_time))
        return {"type": 1, "height": str(height), "round": 0,
                "block_id": {"hash": block_hash.hex().upper(), "parts": {"total": 1, "hash": parts_hash.hex().upper()}},
                "timestamp": block_time, "validator_address": key["address"], "validator_index": 0,
                "signature": base64.b64encode(sig).decode()}

    return {"type": "tendermint/DuplicateVoteEvidence",
            "value": {"vote_a": vote(1), "vote_b": vote(2), "TotalVotingPower": str(total),
                      "ValidatorPower": power, "Timestamp": block_time}}


SUBSCRIPTIONS = [  # (id, query); at most 5 per connection (max_subscriptions_per_client)
    [("NewBlock", "tm.event='NewBlock'"), ("Tx", "tm.event='Tx' AND app.key='abc'"),
     ("NewBlockHeader", "tm.event='NewBlockHeader'"), ("NewBlockEvents", "tm.event='NewBlockEvents'")],
    [("NewRoundStep", "tm.event='NewRoundStep'"), ("NewRound", "tm.event='NewRound'"),
     ("CompleteProposal", "tm.event='CompleteProposal'"), ("Vote", "tm.event='Vote'")],
]


def scenario(base, home):
    """Drive one node through the scenario; return {case name: (HTTP status, answer)}."""
    out = {}
    wait_height(base, 2)
    conns = []
    for subs in SUBSCRIPTIONS:
        ws = WS(base)
        for id_, q in subs:
            ws.call(id_, "subscribe", {"query": q})
            while True:  # the reply to subscribe comes before any event
                m = ws.recv()
                if m.get("id") == id_ and "result" in m:
                    out["ws subscribe"] = (101, m)
                    break
        conns.append((ws, {id_ for id_, _ in subs}))

    def get(name, path):
        out[name] = http(base, path)
        return out[name][1]

    def post(name, obj):
        out[name] = http(base, "/", json.dumps(obj).encode())
        return out[name][1]

    commit = get("broadcast_tx_commit", '/broadcast_tx_commit?tx="abc=def"')["result"]
    tx_hash, tx_height = commit["hash"], commit["height"]
    get("error broadcast_tx_commit in cache", '/broadcast_tx_commit?tx="abc=def"')
    get("broadcast_tx_commit rejected by CheckTx", '/broadcast_tx_commit?tx="a=b=c"')
    get("broadcast_tx_sync rejected by CheckTx", '/broadcast_tx_sync?tx="d=e=f"')
    get("broadcast_tx_sync", '/broadcast_tx_sync?tx="sync=1"')
    get("broadcast_tx_async", '/broadcast_tx_async?tx="async=1"')
    get("check_tx", '/check_tx?tx="check=1"')

    # Events: one of each subscribed kind; the block events of the transaction's block.
    def event_height(m):
        v = m.get("result", {}).get("data", {}).get("value", {})
        h = v.get("height") or (v.get("header") or {}).get("height") or ((v.get("block") or {}).get("header") or {}).get("height")
        return str(h)

    for ws, want in conns:
        end = time.time() + DEADLINE
        while want and time.time() < end:
            m = ws.recv()
            id_ = m.get("id")
            if id_ in want and (id_ not in ("NewBlock", "NewBlockHeader", "NewBlockEvents") or event_height(m) == tx_height):
                out["ws event " + id_] = (101, m)
                want.discard(id_)
        if want:
            sys.exit(f"{base}: no {sorted(want)} event within {DEADLINE}s")
    ws = conns[0][0]
    ws.call("u", "unsubscribe", {"query": "tm.event='NewBlock'"})
    while (m := ws.recv()).get("id") != "u":
        pass
    out["ws unsubscribe"] = (101, m)
    ws.call("ua", "unsubscribe_all", {})
    while (m := ws.recv()).get("id") != "ua":
        pass
    out["ws unsubscribe_all"] = (101, m)
    ws.call("bad", "subscribe", {"query": "tm.event==x"})
    while (m := ws.recv()).get("id") != "bad":
        pass
    out["ws subscribe bad query"] = (101, m)
    ws.call("status", "status", {})
    while (m := ws.recv()).get("id") != "status":
        pass
    out["ws status"] = (101, m)

    # Evidence: a duplicate vote of the node's validator at height 1, submitted over JSON-RPC;
    # the block that commits it, its results (the kvstore lowers the validator's power) and the
    # events it fires.
    ws = WS(base)
    ev_subs = [("NewEvidence", "tm.event='NewEvidence'"), ("ValidatorSetUpdates", "tm.event='ValidatorSetUpdates'"),
               ("NewBlock with evidence", "tm.event='NewBlock'")]
    for id_, q in ev_subs:
        ws.call(id_, "subscribe", {"query": q})
        while not ((m := ws.recv()).get("id") == id_ and "result" in m):
            pass
    evidence = duplicate_vote_evidence(base, home, 1)
    post("broadcast_evidence", {"jsonrpc": "2.0", "id": 1, "method": "broadcast_evidence", "params": {"evidence": evidence}})
    want, end = {id_ for id_, _ in ev_subs}, time.time() + DEADLINE
    while want and time.time() < end:
        m = ws.recv()
        id_ = m.get("id")
        if id_ == "NewBlock with evidence" and not (m.get("result", {}).get("data", {}).get("value", {})
                                                   .get("block", {}).get("evidence", {}).get("evidence")):
            continue
        if id_ in want:
            out["ws event " + id_] = (101, m)
            want.discard(id_)
    if want:
        sys.exit(f"{base}: no {sorted(want)} event within {DEADLINE}s of broadcast_evidence")
    ev_height = out["ws event NewEvidence"][1]["result"]["data"]["value"]["height"]
    ws.call("ua", "unsubscribe_all", {})
    while ws.recv().get("id") != "ua":
        pass
    post("error broadcast_evidence committed", {"jsonrpc": "2.0", "id": 2, "method": "broadcast_evidence", "params": {"evidence": evidence}})

    block = get("block?height=H", f"/block?height={tx_height}")["result"]
    block_hash = block["block_id"]["hash"]
    wait_height(base, int(tx_height) + 2)
    for name, path in [
        ("health", "/health"), ("status", "/status"), ("net_info", "/net_info"),
        ("blockchain", "/blockchain"), ("blockchain?minHeight&maxHeight", "/blockchain?minHeight=1&maxHeight=2"),
        ("genesis", "/genesis"), ("genesis_chunked", "/genesis_chunked?chunk=0"),
        ("block", "/block"), ("block?height=1", "/block?height=1"),
        ("block_by_hash", f"/block_by_hash?hash=0x{block_hash}"), ("block_by_hash unknown", "/block_by_hash?hash=0xAB"),
        ("block_results?height=H", f"/block_results?height={tx_height}"), ("block_results?height=1", "/block_results?height=1"),
        ("block with evidence", f"/block?height={ev_height}"),
        ("block_results with validator updates", f"/block_results?height={ev_height}"),
        ("commit", "/commit"), ("commit?height=H", f"/commit?height={tx_height}"),
        ("header", "/header"), ("header?height=H", f"/header?height={tx_height}"),
        ("header_by_hash", f"/header_by_hash?hash=0x{block_hash}"), ("header_by_hash unknown", "/header_by_hash?hash=0xAB"),
        ("validators", "/validators"), ("validators?height=1&page=1&per_page=1", "/validators?height=1&page=1&per_page=1"),
        ("consensus_params", "/consensus_params"), ("consensus_params?height=1", "/consensus_params?height=1"),
        ("dump_consensus_state", "/dump_consensus_state"), ("consensus_state", "/consensus_state"),
        ("unconfirmed_txs", "/unconfirmed_txs"), ("num_unconfirmed_txs", "/num_unconfirmed_txs"),
        ("abci_info", "/abci_info"), ("abci_query", '/abci_query?data="abc"'),
        ("abci_query missing key", '/abci_query?path="/store"&data="nokey"&height=1'),
        ("tx", f"/tx?hash=0x{tx_hash}"), ("tx prove", f"/tx?hash=0x{tx_hash}&prove=true"),
        ("tx_search", "/tx_search?query=%22app.key%3D%27abc%27%22"),
        ("tx_search prove desc", "/tx_search?query=%22tx.height%3E%3D1%22&prove=true&order_by=%22desc%22&per_page=1"),
        ("block_search", "/block_search?query=%22block.height%3E%3D1%22&per_page=2"),
        ("unsafe_flush_mempool", "/unsafe_flush_mempool"),
        # errors
        ("error block?height=0", "/block?height=0"), ("error block?height=99999", "/block?height=99999"),
        ("error validators?page=9", "/validators?page=9"), ("error tx unknown", "/tx?hash=0xAB"),
        ("error tx_search order_by", "/tx_search?query=%22tx.height%3E1%22&order_by=%22up%22"),
        ("error tx_search bad query", "/tx_search?query=%22a%3D%22"),
        ("error blockchain min>max", "/blockchain?minHeight=5&maxHeight=3"),
        ("error genesis_chunked?chunk=9", "/genesis_chunked?chunk=9"),
        ("error broadcast_evidence empty", "/broadcast_evidence"),
        ("error dial_seeds empty", "/dial_seeds?seeds=[]"),
        ("error dial_peers no ID", "/dial_peers?peers=%5B%22abc%22%5D"),
        ("error block_results?height=99999", "/block_results?height=99999"),
        ("error bare string param", "/abci_query?path=store"),
        ("error subscribe over HTTP", "/subscribe?query=%22tm.event%3D%27NewBlock%27%22"),
        # parameter and query parse errors
        ("error tx_search empty query", "/tx_search?query=%22%22"),
        ("error tx_search OR", "/tx_search?" + qs(query="app.key='a' OR app.key='b'")),
        ("error tx_search unquoted value", "/tx_search?" + qs(query="app.key=abc")),
        ("error tx_search bad date", "/tx_search?" + qs(query="app.d > DATE 2020-13-45")),
        ("error tx_search bad time", "/tx_search?" + qs(query="app.d > TIME 2020-01-01")),
        ("error tx_search lower-case and", "/tx_search?" + qs(query="app.key='a' and app.x='b'")),
        ("error tx_search trailing AND", "/tx_search?" + qs(query="app.key='a' AND")),
        ("error tx_search bad hash", "/tx_search?" + qs(query="tx.hash='ZZ'")),
        ("error tx_search page", "/tx_search?" + qs(query="tx.height>0") + "&page=99"),
        ("error block_search bad query", "/block_search?query=%22a%3D%22"),
        ("error block_search empty query", "/block_search?query=%22%22"),
        ("error block_search OR", "/block_search?" + qs(query="block.height=1 OR block.height=2")),
        ("error block_search order_by", "/block_search?" + qs(query="block.height>0") + "&order_by=%22up%22"),
        ("error abci_query bad hex", "/abci_query?data=0xZZ"),
        ("error abci_query bad height", "/abci_query?height=abc"),
        ("error abci_query bad prove", "/abci_query?prove=maybe"),
        ("error tx bad hex", "/tx?hash=0xZZ"),
        ("error block bad height", "/block?height=1.5"),
        ("error block height garbage", "/block?height=5x"),
        ("error block height unterminated quote", "/block?height=%225"),
        ("error block height quoted word", "/block?height=%22abc%22"),
        ("error block height quoted garbage", "/block?height=%22a%22b%22"),
        ("error block height hex", "/block?height=0x10"),
    ]:
        get(name, path)
    post("POST block by name", {"jsonrpc": "2.0", "id": 7, "method": "block", "params": {"height": "1"}})
    post("POST header by position", {"jsonrpc": "2.0", "id": "x", "method": "header", "params": ["1"]})
    post("POST batch", [{"jsonrpc": "2.0", "id": 1, "method": "health"}, {"jsonrpc": "2.0", "id": 2, "method": "abci_info"}])
    post("POST error number for int64", {"jsonrpc": "2.0", "id": 1, "method": "block", "params": {"height": 1}})
    post("POST error unknown method", {"jsonrpc": "2.0", "id": 1, "method": "nope"})
    post("POST error subscribe", {"jsonrpc": "2.0", "id": 1, "method": "subscribe", "params": {"query": "tm.event='Tx'"}})
    post("POST error tx_search bad query", {"jsonrpc": "2.0", "id": 1, "method": "tx_search", "params": {"query": "a.b >= 'x'"}})
    post("POST error tx_search query not a string", {"jsonrpc": "2.0", "id": 1, "method": "tx_search", "params": {"query": 5}})
    post("POST error abci_query data not hex", {"jsonrpc": "2.0", "id": 1, "method": "abci_query", "params": {"data": "xyz"}})
    post("POST error block_search bad query", {"jsonrpc": "2.0", "id": 1, "method": "block_search", "params": {"query": "block.height > 'x'"}})
    ws = conns[1][0]
    ws.call("long", "subscribe", {"query": "tm.event='Tx' AND app.key='" + "x" * 600 + "'"})
    while (m := ws.recv()).get("id") != "long":
        pass
    out["ws subscribe query too long"] = (101, m)
    return out


INT = re.compile(r"^-?\d+$")
HEX = re.compile(r"^[0-9A-F]+$")
B64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")


def kinds(s):
    """The encodings a JSON string value could be in."""
    if s == "":
        return {"empty"}
    if TIME.match(s):
        return {"time"}
    k = set()
    if INT.match(s):
        k.add("int")
    if HEX.match(s) and len(s) % 2 == 0 and (len(s) >= 8 or not INT.match(s)):
        k.add("hex")
    # Upper-case hex is taken for hex, not base64: random base64 of 8 or more characters is all
    # but certain to hold a lower-case letter, '+', '/' or '='.
    if "hex" not in k and B64.match(s) and len(s) % 4 == 0 and not INT.match(s):
        k.add("b64")
    return k or {"str"}


TEXT_LIKE = {"empty", "str", "hex", "b64"}


def compatible(a, b):
    if a & b:
        return True
    # Free text, hex and base64 values may look alike; only int and time are told apart from them.
    return ("empty" in a or "str" in a or "empty" in b or "str" in b) and a <= TEXT_LIKE and b <= TEXT_LIKE


LITERAL_KEYS = {"code", "message", "jsonrpc", "type"}  # compared by value, not only encoding


def masked(text):
    """An error text with hashes, numbers and the nodes' own names masked."""
    text = re.sub(r"test-chain-\w+", "<chain>", text)
    text = re.sub(r"\b[0-9A-Fa-f]{16,}\b", "<hex>", text)
    return re.sub(r"\d+", "<n>", text)


def compare(a, b, path, diffs, literal=False):
    ta, tb = type(a).__name__, type(b).__name__
    if literal and isinstance(a, (str, int)) and not isinstance(a, bool) and a != b:
        diffs.append(f"{path}: {a!r} vs {b!r}")
        return
    if path.endswith(".error.data") and isinstance(a, str) and isinstance(b, str):
        if masked(a) != masked(b):
            diffs.append(f"{path}: {a!r} vs {b!r}")
        return
    if ta != tb:
        diffs.append(f"{path}: {describe(a)} vs {describe(b)}")
    elif isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in b:
                diffs.append(f"{path}.{k}: only in ballot")
            elif k not in a:
                diffs.append(f"{path}.{k}: only in cometbft")
            else:
                compare(a[k], b[k], f"{path}.{k}", diffs, literal=k in LITERAL_KEYS)
    elif isinstance(a, list):
        if a and b:
            compare(a[0], b[0], path + "[0]", diffs)
    elif isinstance(a, str):
        ka, kb = kinds(a), kinds(b)
        if not compatible(ka, kb):
            diffs.append(f"{path}: {'/'.join(sorted(ka))} {a[:24]!r} vs {'/'.join(sorted(kb))} {b[:24]!r}")


def describe(v):
    return "null" if v is None else type(v).__name__.replace("dict", "object").replace("list", "array")


bal = scenario(BAL, BAL_HOME)
cmt = scenario(CMT, CMT_HOME)
if SAVE:
    for name, res in (("ballot", bal), ("cometbft", cmt)):
        os.makedirs(os.path.join(SAVE, name), exist_ok=True)
        for case, (status, body) in res.items():
            fname = re.sub(r"[^A-Za-z0-9_.=-]+", "_", case) + ".json"
            with open(os.path.join(SAVE, name, fname), "w") as f:
                json.dump({"status": status, "body": body}, f, indent=1, sort_keys=True)

failed = 0
width = max(len(k) for k in cmt)
print(f"{'route / case':<{width}}  result")
print("-" * (width + 8))
for case in sorted(set(cmt) | set(bal)):
    if case not in bal or case not in cmt:
        print(f"{case:<{width}}  diff (missing on {'ballot' if case not in bal else 'cometbft'})")
        failed += 1
        continue
    diffs = []
    (sa, a), (sb, b) = bal[case], cmt[case]
    if sa != sb:
        diffs.append(f"HTTP {sa} vs {sb}")
    compare(a, b, "", diffs)
    print(f"{case:<{width}}  {'ok' if not diffs else 'diff'}")
    for d in diffs:
        print(f"{'':<{width}}    {d or '(top level)'}   [ballot vs cometbft]")
    failed += bool(diffs)
print("-" * (width + 8))
print(f"{len(cmt) - failed}/{len(cmt)} cases with the same keys and encodings")
sys.exit(1 if failed else 0)
PYTHON
  echo "--- last lines of ballot's log:"; tail -5 "$work/bal.log"
  echo "--- last lines of cometbft's log:"; tail -5 "$work/cmt.log"
  exit 1
fi
