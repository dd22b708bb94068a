package node

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/ballot-bft/ballot/config"
)

// Every route, over the URI and JSON-RPC transports, answers with the keys and value encodings
// cometbft v0.38.26 answered with in the same scenario (testdata/rpc/cometbft, captured by
// scripts/compat/rpc.sh): one transaction committed through broadcast_tx_commit, then each route.
func TestRPCRoutesMatchCometBFT(t *testing.T) {
	r := startRPCNode(t, nil)
	r.waitHeight(t, 2)

	check := func(name string, got response) {
		t.Helper()
		want := loadCapture(t, name)
		if got.Status != want.Status {
			t.Errorf("%s: HTTP %d, cometbft answered %d (%s)", name, got.Status, want.Status, got.raw)
		}
		for _, d := range sameShape(got.Body, want.Body) {
			t.Errorf("%s: %s", name, d)
		}
	}
	get := func(name, path string) response {
		t.Helper()
		resp := r.get(t, path)
		check(name, resp)
		return resp
	}

	commit := get("broadcast_tx_commit", `/broadcast_tx_commit?tx="abc=def"`).result(t)
	txHash, txHeight := commit["hash"].(string), commit["height"].(string)
	get("error broadcast_tx_commit in cache", `/broadcast_tx_commit?tx="abc=def"`)
	get("broadcast_tx_commit rejected by CheckTx", `/broadcast_tx_commit?tx="a=b=c"`)
	get("broadcast_tx_sync rejected by CheckTx", `/broadcast_tx_sync?tx="d=e=f"`)
	get("broadcast_tx_sync", `/broadcast_tx_sync?tx="sync=1"`)
	get("broadcast_tx_async", `/broadcast_tx_async?tx="async=1"`)
	get("check_tx", `/check_tx?tx="check=1"`)

	block := get("block?height=H", "/block?height="+txHeight).result(t)
	blockHash := block["block_id"].(map[string]any)["hash"].(string)
	var h int64
	fmt.Sscan(txHeight, &h)
	r.waitHeight(t, h+2)

	q := url.QueryEscape
	for _, tc := range []struct{ name, path string }{
		{"health", "/health"},
		{"status", "/status"},
		{"net_info", "/net_info"},
		{"blockchain", "/blockchain"},
		{"blockchain?minHeight&maxHeight", "/blockchain?minHeight=1&maxHeight=2"},
		{"genesis", "/genesis"},
		{"genesis_chunked", "/genesis_chunked?chunk=0"},
		{"block", "/block"},
		{"block?height=1", "/block?height=1"},
		{"block_by_hash", "/block_by_hash?hash=0x" + blockHash},
		{"block_by_hash unknown", "/block_by_hash?hash=0xAB"},
		{"block_results?height=H", "/block_results?height=" + txHeight},
		{"block_results?height=1", "/block_results?height=1"},
		{"commit", "/commit"},
		{"commit?height=H", "/commit?height=" + txHeight},
		{"header", "/header"},
		{"header?height=H", "/header?height=" + txHeight},
		{"header_by_hash", "/header_by_hash?hash=0x" + blockHash},
		{"header_by_hash unknown", "/header_by_hash?hash=0xAB"},
		{"validators", "/validators"},
		{"validators?height=1&page=1&per_page=1", "/validators?height=1&page=1&per_page=1"},
		{"consensus_params", "/consensus_params"},
		{"consensus_params?height=1", "/consensus_params?height=1"},
		{"dump_consensus_state", "/dump_consensus_state"},
		{"consensus_state", "/consensus_state"},
		{"unconfirmed_txs", "/unconfirmed_txs"},
		{"num_unconfirmed_txs", "/num_unconfirmed_txs"},
		{"abci_info", "/abci_info"},
		{"abci_query", `/abci_query?data="abc"`},
		{"abci_query missing key", `/abci_query?path="/store"&data="nokey"&height=1`},
		{"tx", "/tx?hash=0x" + txHash},
		{"tx prove", "/tx?hash=0x" + txHash + "&prove=true"},
		{"tx_search", "/tx_search?query=" + q(`"app.key='abc'"`)},
		{"tx_search prove desc", "/tx_search?query=" + q(`"tx.height>=1"`) + `&prove=true&order_by="desc"&per_page=1`},
		{"block_search", "/block_search?query=" + q(`"block.height>=1"`) + "&per_page=2"},
		{"unsafe_flush_mempool", "/unsafe_flush_mempool"},
		{"error block?height=0", "/block?height=0"},
		{"error block?height=99999", "/block?height=99999"},
		{"error validators?page=9", "/validators?page=9"},
		{"error tx unknown", "/tx?hash=0xAB"},
		{"error tx_search order_by", "/tx_search?query=" + q(`"tx.height>1"`) + `&order_by="up"`},
		{"error tx_search bad query", "/tx_search?query=" + q(`"a="`)},
		{"error blockchain min>max", "/blockchain?minHeight=5&maxHeight=3"},
		{"error genesis_chunked?chunk=9", "/genesis_chunked?chunk=9"},
		{"error broadcast_evidence empty", "/broadcast_evidence"},
		{"error dial_seeds empty", "/dial_seeds?seeds=[]"},
		{"error dial_peers no ID", "/dial_peers?peers=" + q(`["abc"]`)},
		{"error block_results?height=99999", "/block_results?height=99999"},
		{"error bare string param", "/abci_query?path=store"},
		{"error subscribe over HTTP", "/subscribe?query=" + q(`"tm.event='NewBlock'"`)},
	} {
		get(tc.name, tc.path)
	}

	for _, tc := range []struct{ name, body string }{
		{"POST block by name", `{"jsonrpc":"2.0","id":7,"method":"block","params":{"height":"1"}}`},
		{"POST header by position", `{"jsonrpc":"2.0","id":"x","method":"header","params":["1"]}`},
		{"POST batch", `[{"jsonrpc":"2.0","id":1,"method":"health"},{"jsonrpc":"2.0","id":2,"method":"abci_info"}]`},
		{"POST error number for int64", `{"jsonrpc":"2.0","id":1,"method":"block","params":{"height":1}}`},
		{"POST error unknown method", `{"jsonrpc":"2.0","id":1,"method":"nope"}`},
		{"POST error subscribe", `{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"query":"tm.event='Tx'"}}`},
	} {
		check(tc.name, r.post(t, tc.body))
	}
}

// The examples rpc.md quotes from CometBFT have the keys and encodings ballot answers with.
func TestRPCMatchesSheetExamples(t *testing.T) {
	r := startRPCNode(t, nil)
	r.waitHeight(t, 1)
	commit := r.get(t, `/broadcast_tx_commit?tx="abc=def"`)
	res := commit.result(t)
	txHash, txHeight := res["hash"].(string), res["height"].(string)
	var h int64
	fmt.Sscan(txHeight, &h)
	r.waitHeight(t, h+1)

	for _, tc := range []struct{ path, example string }{
		{"", "broadcast_tx_commit"},
		{"/status", "status"},
		{"/block?height=" + txHeight, "block"},
		{"/commit?height=" + txHeight, "commit"},
		{"/validators", "validators"},
		{"/consensus_params", "consensus_params"},
		{`/abci_query?data="abc"`, "abci_query"},
		{"/abci_info", "abci_info"},
		{`/broadcast_tx_sync?tx="sheet=1"`, "broadcast_tx_sync"},
		{`/broadcast_tx_commit?tx="a=b=c"`, "broadcast_tx_commit_rejected"},
		{"/tx?prove=true&hash=0x" + txHash, "tx"},
	} {
		got := commit
		if tc.path != "" {
			got = r.get(t, tc.path)
		}
		want := loadSheetExample(t, tc.example)
		for _, d := range sameShape(got.Body, want) {
			t.Errorf("%s: %s", tc.example, d)
		}
	}
}

// loadSheetExample reads an example of rpc.md from testdata/rpc/sheet.
func loadSheetExample(t *testing.T, name string) any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "rpc", "sheet", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// Without rpc.unsafe the unsafe routes do not exist; with the null indexer the search routes
// say indexing is disabled and status reports tx_index "off".
func TestRPCSafeNodeWithoutIndexing(t *testing.T) {
	r := startRPCNode(t, func(cfg *config.Config) {
		cfg.RPC.Unsafe = false
		cfg.TxIndex.Indexer = config.IndexerNull
		cfg.P2P.PexReactor = false
	})
	r.waitHeight(t, 1)
	for _, path := range []string{"/dial_seeds", "/dial_peers", "/unsafe_flush_mempool"} {
		if resp := r.get(t, path); resp.Status != 404 || resp.raw != "404 page not found\n" {
			t.Errorf("%s: HTTP %d %q, want Go's 404", path, resp.Status, resp.raw)
		}
	}
	for path, want := range map[string]string{
		"/tx?hash=0xAB":                        "transaction indexing is disabled",
		`/tx_search?query="tx.height>1"`:       "transaction indexing is disabled",
		`/block_search?query="block.height>1"`: "block indexing is disabled",
	} {
		if got := r.get(t, path).rpcError(t)["data"]; got != want {
			t.Errorf("%s: %v, want %q", path, got, want)
		}
	}
	info := r.get(t, "/status").result(t)["node_info"].(map[string]any)
	if other := info["other"].(map[string]any); other["tx_index"] != "off" {
		t.Errorf("status tx_index = %v, want off", other["tx_index"])
	}
	if info["channels"] != "40202122233038" {
		t.Errorf("channels %v, want CometBFT's without PEX's 00 and state sync's 60 61", info["channels"])
	}
}
