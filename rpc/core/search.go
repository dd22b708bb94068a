package core

import (
	"errors"
	"fmt"
	"slices"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	rpctypes "github.com/ballot-bft/ballot/rpc/jsonrpc/types"
	"github.com/ballot-bft/ballot/state/indexer"
	blocknull "github.com/ballot-bft/ballot/state/indexer/block/null"
	"github.com/ballot-bft/ballot/state/txindex"
	txnull "github.com/ballot-bft/ballot/state/txindex/null"
	"github.com/ballot-bft/ballot/types"
)

// errQueryTooLong is the error for a subscribe or tx_search query over maxQueryLength bytes.
var errQueryTooLong = errors.New("maximum query length exceeded")

// txIndexDisabled and blockIndexDisabled report whether the indexers are the "null" ones, which
// CometBFT checks before anything else.
func (env *Environment) txIndexDisabled() bool {
	switch env.TxIndexer.(type) {
	case txnull.TxIndex, *txnull.TxIndex:
		return true
	}
	return false
}

func (env *Environment) blockIndexDisabled() bool {
	switch env.BlockIndexer.(type) {
	case blocknull.Indexer, *blocknull.Indexer:
		return true
	}
	return false
}

// Tx returns the indexed transaction whose hash (SHA-256 of the tx) is hash, with a Merkle
// proof of its inclusion in the block's data hash when prove is set.
func (env *Environment) Tx(_ *rpctypes.Context, hash []byte, prove bool) (*ResultTx, error) {
	if env.txIndexDisabled() {
		return nil, txindex.ErrDisabled
	}
	res, err := env.TxIndexer.Get(hash)
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, fmt.Errorf("tx (%X) not found", hash)
	}
	return env.resultTx(res, prove)
}

// TxSearch returns one page of the indexed transactions matching the query, ordered by (height,
// index) ascending unless order_by is "desc".
func (env *Environment) TxSearch(ctx *rpctypes.Context, q string, prove bool, page, perPageParam *int, orderBy string) (*ResultTxSearch, error) {
	if env.txIndexDisabled() {
		return nil, txindex.ErrDisabled
	}
	if len(q) > maxQueryLength {
		return nil, errQueryTooLong
	}
	parsed, err := query.Parse(q)
	if err != nil {
		return nil, err
	}
	order, err := txindex.ParseOrder(orderBy, txindex.OrderAsc)
	if err != nil {
		return nil, err
	}
	results, total, err := env.TxIndexer.Search(ctx.Context(), parsed, txindex.SearchOptions{
		Order:  order,
		Window: txindex.Pages(page, perPage(perPageParam)),
	})
	if err != nil {
		return nil, err
	}
	txs := make([]*ResultTx, 0, len(results))
	for _, res := range results {
		rt, err := env.resultTx(res, prove)
		if err != nil {
			return nil, err
		}
		txs = append(txs, rt)
	}
	return &ResultTxSearch{Txs: txs, TotalCount: total}, nil
}

// resultTx builds the result for an indexed transaction, with its proof if asked.
func (env *Environment) resultTx(res *abci.TxResult, prove bool) (*ResultTx, error) {
	tx := types.Tx(res.Tx)
	rt := &ResultTx{
		Hash:     tx.Hash(),
		Height:   res.Height,
		Index:    res.Index,
		TxResult: res.Result,
		Tx:       tx,
	}
	if prove {
		block, err := env.BlockStore.LoadBlock(res.Height)
		if err != nil {
			return nil, fmt.Errorf("loading block %d for the proof of tx %X: %w", res.Height, []byte(rt.Hash), err)
		}
		proof, err := block.Data.Txs.Proof(int(res.Index))
		if err != nil {
			return nil, fmt.Errorf("proof of tx %X: %w", []byte(rt.Hash), err)
		}
		rt.Proof = proof
	}
	return rt, nil
}

// BlockSearch returns one page of the indexed blocks whose FinalizeBlock events (or
// block.height) match the query, newest first unless order_by is "asc".
func (env *Environment) BlockSearch(ctx *rpctypes.Context, q string, page, perPageParam *int, orderBy string) (*ResultBlockSearch, error) {
	if env.blockIndexDisabled() {
		return nil, indexer.ErrDisabled
	}
	parsed, err := query.Parse(q)
	if err != nil {
		return nil, err
	}
	heights, err := env.BlockIndexer.Search(ctx.Context(), parsed)
	if err != nil {
		return nil, err
	}
	order, err := txindex.ParseOrder(orderBy, txindex.OrderDesc)
	if err != nil {
		return nil, err
	}
	heights = slices.Clone(heights)
	slices.Sort(heights)
	if order == txindex.OrderDesc {
		slices.Reverse(heights)
	}
	from, to, err := pageBounds(page, perPage(perPageParam), len(heights))
	if err != nil {
		return nil, err
	}
	blocks := make([]*ResultBlock, 0, to-from)
	for _, h := range heights[from:to] {
		// A height pruned since it was indexed is left out, as CometBFT does.
		meta, err := env.BlockStore.LoadBlockMeta(h)
		if err != nil {
			continue
		}
		block, err := env.BlockStore.LoadBlock(h)
		if err != nil {
			continue
		}
		blocks = append(blocks, &ResultBlock{BlockID: meta.BlockID, Block: blockJSON(block)})
	}
	return &ResultBlockSearch{Blocks: blocks, TotalCount: len(heights)}, nil
}
