package kv

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"sort"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/state/indexer/eventquery"
	"github.com/ballot-bft/ballot/state/txindex"
	"github.com/ballot-bft/ballot/types"
)

// Search returns the results matching q; see the package documentation for the semantics and
// txindex.TxIndexer for the contract.
func (t *TxIndex) Search(ctx context.Context, q *query.Query, opts txindex.SearchOptions) ([]*abci.TxResult, int, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	conds := q.Conditions()
	var results []*abci.TxResult
	if hash, ok, err := lookForHash(conds); err != nil {
		return nil, 0, fmt.Errorf("error during searching for a hash in the query: %w", err)
	} else if ok {
		res, err := t.Get(hash)
		if err != nil {
			return nil, 0, fmt.Errorf("error while retrieving the result: %w", err)
		}
		if res != nil {
			results = append(results, res)
		}
	} else {
		hashes, err := t.matchingHashes(ctx, eventquery.NewPlan(conds, types.TxHeightKey))
		if err != nil {
			return nil, 0, err
		}
		if results, err = t.load(ctx, hashes); err != nil {
			return nil, 0, err
		}
	}
	sortResults(results, opts.Order)
	from, to, err := txindex.Cut(opts.Window, len(results))
	if err != nil {
		return nil, 0, err
	}
	return results[from:to:to], len(results), nil
}

// lookForHash returns the hex-decoded operand of the first condition on tx.hash, if any.
func lookForHash(conds []query.Condition) (hash []byte, ok bool, err error) {
	for _, c := range conds {
		if c.Tag == types.TxHashKey {
			hash, err := hex.DecodeString(c.Operand.Text)
			return hash, true, err
		}
	}
	return nil, false, nil
}

// load returns the stored results of hashes, skipping hashes with nothing stored (an index
// entry that outlived its result). Each hash occurs once in hashes.
func (t *TxIndex) load(ctx context.Context, hashes [][]byte) ([]*abci.TxResult, error) {
	results := make([]*abci.TxResult, 0, len(hashes))
	for _, h := range hashes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res, err := t.Get(h)
		if err != nil {
			return nil, fmt.Errorf("failed to get Tx{%X}: %w", h, err)
		}
		if res != nil {
			results = append(results, res)
		}
	}
	return results, nil
}

// sortResults orders results by (height, index), ties by hash, ascending or descending.
func sortResults(results []*abci.TxResult, order txindex.Order) {
	less := func(a, b *abci.TxResult) bool {
		if a.Height != b.Height {
			return a.Height < b.Height
		}
		if a.Index != b.Index {
			return a.Index < b.Index
		}
		return bytes.Compare(types.Tx(a.Tx).Hash(), types.Tx(b.Tx).Hash()) < 0
	}
	sort.Slice(results, func(i, j int) bool {
		if order == txindex.OrderDesc {
			return less(results[j], results[i])
		}
		return less(results[i], results[j])
	})
}
