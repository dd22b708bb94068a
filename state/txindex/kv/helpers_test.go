package kv

import (
	"context"
	"testing"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/state/txindex"
)

// attr is an indexed attribute; plain is one with index=false.
func attr(key, value string) abci.EventAttribute {
	return abci.EventAttribute{Key: key, Value: value, Index: true}
}

func plain(key, value string) abci.EventAttribute {
	return abci.EventAttribute{Key: key, Value: value}
}

func event(typ string, attrs ...abci.EventAttribute) abci.Event {
	return abci.Event{Type: typ, Attributes: attrs}
}

// result is the result of tx at (height, index) with the given code and events.
func result(height int64, index uint32, tx string, code uint32, events ...abci.Event) *abci.TxResult {
	return &abci.TxResult{
		Height: height,
		Index:  index,
		Tx:     []byte(tx),
		Result: abci.ExecTxResult{Code: code, Events: events},
	}
}

// indexed returns an indexer over a fresh MemDB holding results, one batch per height in
// order of appearance.
func indexed(t *testing.T, results ...*abci.TxResult) *TxIndex {
	t.Helper()
	idx := New(dbm.NewMemDB())
	var batch []*abci.TxResult
	flush := func() {
		if len(batch) == 0 {
			return
		}
		b := txindex.NewBatch(len(batch))
		copy(b.Ops, batch)
		if err := idx.AddBatch(b); err != nil {
			t.Fatalf("AddBatch: %v", err)
		}
		batch = nil
	}
	for _, r := range results {
		if len(batch) > 0 && batch[0].Height != r.Height {
			flush()
		}
		batch = append(batch, r)
	}
	flush()
	return idx
}

// txsOf returns the txs of results, as strings, in order.
func txsOf(results []*abci.TxResult) []string {
	out := []string{}
	for _, r := range results {
		out = append(out, string(r.Tx))
	}
	return out
}

// searchTxs runs q with opts and returns the txs found and the total.
func searchTxs(t *testing.T, idx txindex.TxIndexer, q string, opts txindex.SearchOptions) ([]string, int) {
	t.Helper()
	parsed, err := query.Parse(q)
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	results, total, err := idx.Search(context.Background(), parsed, opts)
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	return txsOf(results), total
}

// searchErr runs q and returns its error.
func searchErr(t *testing.T, idx txindex.TxIndexer, q string) error {
	t.Helper()
	parsed, err := query.Parse(q)
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	_, _, err = idx.Search(context.Background(), parsed, txindex.SearchOptions{})
	return err
}
