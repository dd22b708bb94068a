package core

import (
	"context"
	"strings"
	"testing"

	cmtjson "github.com/ballot-bft/ballot/libs/json"
	"github.com/ballot-bft/ballot/libs/pubsub/query"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	blocknull "github.com/ballot-bft/ballot/state/indexer/block/null"
	txnull "github.com/ballot-bft/ballot/state/txindex/null"
	"github.com/ballot-bft/ballot/types"
)

func TestTxRoutes(t *testing.T) {
	env := testEnv(t)
	store := env.BlockStore.(*chain)
	tx3 := store.blocks[3].Txs[0]
	env.TxIndexer = txIndexer{results: []*abci.TxResult{
		{Height: 3, Index: 0, Tx: tx3, Result: abci.ExecTxResult{Code: 0}},
		{Height: 4, Index: 0, Tx: store.blocks[4].Txs[0]},
	}}

	res, err := env.Tx(ctx0, tx3.Hash(), false)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := cmtjson.Marshal(res)
	want := `{"hash":"` + hashHex(tx3) + `","height":"3","index":0,"tx_result":{"code":0,"data":null,"log":"","info":"","gas_wanted":"0","gas_used":"0","events":[],"codespace":""},"tx":"azM9dg=="}`
	if string(js) != want {
		t.Errorf("tx:\n got %s\nwant %s", js, want)
	}
	res, err = env.Tx(ctx0, tx3.Hash(), true)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Proof.Validate(store.blocks[3].DataHash); err != nil {
		t.Errorf("tx proof does not verify against the block's data hash: %v", err)
	}
	if js, _ := cmtjson.Marshal(res); !strings.Contains(string(js), `"proof":{"root_hash":"`+store.blocks[3].DataHash.String()+`","data":"azM9dg==","proof":{"total":"1","index":"0","leaf_hash":"`) {
		t.Errorf("tx with proof: %s", js)
	}
	if _, err := env.Tx(ctx0, []byte{0xAB}, false); errText(err) != "tx (AB) not found" {
		t.Errorf("unknown tx: %v", err)
	}
	if _, err := env.Tx(ctx0, nil, false); errText(err) != "transaction hash cannot be empty" {
		t.Errorf("empty hash: %v", err)
	}

	search, err := env.TxSearch(ctx0, "tx.height >= 1", false, ptr(2), ptr(1), "")
	if err != nil || search.TotalCount != 2 || len(search.Txs) != 1 || search.Txs[0].Height != 4 {
		t.Errorf("tx_search page 2: %+v, %v", search, err)
	}
	for _, tc := range []struct {
		query, order string
		page         *int
		want         string
	}{
		{strings.Repeat("a", 513), "", nil, "maximum query length exceeded"},
		{"a=", "", nil, "offset 2: EOF"},
		{"tx.height > 1", "up", nil, "expected order_by to be either `asc` or `desc` or empty"},
		{"tx.height > 1", "", ptr(3), "page should be within [1, 1] range, given 3"},
	} {
		if _, err := env.TxSearch(ctx0, tc.query, false, tc.page, nil, tc.order); errText(err) != tc.want {
			t.Errorf("tx_search %q order %q: %v, want %q", tc.query[:min(len(tc.query), 20)], tc.order, err, tc.want)
		}
	}

	env.TxIndexer = txnull.TxIndex{}
	if _, err := env.Tx(ctx0, tx3.Hash(), false); errText(err) != "transaction indexing is disabled" {
		t.Errorf("null indexer tx: %v", err)
	}
	// The disabled indexer is reported before the query is even read, as in CometBFT.
	if _, err := env.TxSearch(ctx0, "a=", false, nil, nil, ""); errText(err) != "transaction indexing is disabled" {
		t.Errorf("null indexer tx_search: %v", err)
	}
}

func TestBlockSearch(t *testing.T) {
	env := testEnv(t)
	env.BlockIndexer = blockIndexer{heights: []int64{2, 5, 3, 9}} // 9 is not in the store
	for _, tc := range []struct {
		order   string
		page    *int
		perPage *int
		want    []int64
		total   int
	}{
		{"", nil, nil, []int64{5, 3, 2}, 4},
		{"desc", nil, ptr(2), []int64{5}, 4}, // 9 is left out of its page
		{"asc", nil, ptr(2), []int64{2, 3}, 4},
		{"asc", ptr(2), ptr(2), []int64{5}, 4},
	} {
		res, err := env.BlockSearch(ctx0, "block.height > 0", tc.page, tc.perPage, tc.order)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, b := range res.Blocks {
			got = append(got, b.Block.Height)
		}
		if res.TotalCount != tc.total || len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
			t.Errorf("order %q page %v: heights %v of %d, want %v of %d", tc.order, tc.page, got, res.TotalCount, tc.want, tc.total)
		}
	}
	if _, err := env.BlockSearch(ctx0, "block.height > 0", nil, nil, "up"); errText(err) != "expected order_by to be either `asc` or `desc` or empty" {
		t.Errorf("bad order: %v", err)
	}
	// No length limit here (CometBFT has none for block_search).
	if _, err := env.BlockSearch(ctx0, "a = '"+strings.Repeat("a", 600)+"'", nil, nil, ""); err != nil {
		t.Errorf("long query: %v", err)
	}
	env.BlockIndexer = blocknull.Indexer{}
	if _, err := env.BlockSearch(ctx0, "block.height > 0", nil, nil, ""); errText(err) != "block indexing is disabled" {
		t.Errorf("null indexer: %v", err)
	}
}

// Subscriptions need a websocket; the disconnect callback drops a client's subscriptions.
func TestSubscriptionRoutes(t *testing.T) {
	env := testEnv(t)
	if _, err := env.Subscribe(ctx0, "tm.event='Tx'"); err == nil {
		t.Error("subscribe without a websocket must fail")
	}
	bus := env.EventBus.(*types.EventBus)
	if _, err := bus.Subscribe(context.Background(), "1.2.3.4:5", query.MustParse("tm.event='Tx'"), 1); err != nil {
		t.Fatal(err)
	}
	env.UnsubscribeClient("1.2.3.4:5")
	env.UnsubscribeClient("1.2.3.4:6") // no subscriptions: nothing to do
	if n := bus.NumClients(); n != 0 {
		t.Errorf("%d clients after the disconnect", n)
	}
	if _, err := env.Unsubscribe(ctx0, "a="); errText(err) != "failed to parse query: offset 2: EOF" {
		t.Errorf("unsubscribe bad query: %v", err)
	}
	if _, err := env.Unsubscribe(ctx0, "tm.event='Tx'"); errText(err) != "subscription not found" {
		t.Errorf("unsubscribe unknown: %v", err)
	}
	if _, err := env.UnsubscribeAll(ctx0); errText(err) != "subscription not found" {
		t.Errorf("unsubscribe_all without subscriptions: %v", err)
	}
}
