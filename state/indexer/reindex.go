package indexer

import (
	"context"
	"errors"
	"fmt"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/state/txindex"
	"github.com/ballot-bft/ballot/types"
)

// Errors of ResolveRange, with CometBFT's texts.
var (
	ErrHeightNotAvailable = errors.New("height is not available")
	ErrInvalidRequest     = errors.New("invalid request")
)

// ResolveRange turns reindex-event's --start-height and --end-height into the range to
// reindex, given the block store's base and height, as CometBFT does: start 0 means base, end 0
// (or one above height) means height; the range must lie within [base, height] and not be
// empty. Errors wrap ErrHeightNotAvailable or ErrInvalidRequest.
func ResolveRange(base, height, start, end int64) (from, to int64, err error) {
	if start == 0 {
		start = base
	}
	if start < base {
		return 0, 0, fmt.Errorf("%w (requested start height: %d, base height: %d)", ErrHeightNotAvailable, start, base)
	}
	if start > height {
		return 0, 0, fmt.Errorf("%w (requested start height: %d, store height: %d)", ErrHeightNotAvailable, start, height)
	}
	if end == 0 || end > height {
		end = height
	}
	if end < base {
		return 0, 0, fmt.Errorf("%w (requested end height: %d, base height: %d)", ErrHeightNotAvailable, end, base)
	}
	if end < start {
		return 0, 0, fmt.Errorf("%w (requested the end height: %d is less than the start height: %d)",
			ErrInvalidRequest, start, end)
	}
	return start, end, nil
}

// Reindex indexes heights from to to (inclusive) again from the stored blocks and FinalizeBlock
// responses, for the reindex-event command (the node must be stopped). It stops at the first
// failure, with CometBFT's message for it: a height whose block or response cannot be loaded,
// an indexing error (an event composing to a reserved key included), or ctx ending.
func Reindex(ctx context.Context, from, to int64, blocks BlockStore, results ResultStore,
	txs txindex.TxIndexer, blockIndexer BlockIndexer,
) error {
	for h := from; h <= to; h++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("event re-index terminated at height %d: %w", h, err)
		}
		events, txResults, err := loadHeight(h, blocks, results)
		if err != nil {
			return err
		}
		if len(txResults) > 0 {
			if err := txs.AddBatch(&txindex.Batch{Ops: txResults}); err != nil {
				return fmt.Errorf("tx event re-index at height %d failed: %w", h, err)
			}
		}
		if err := blockIndexer.Index(events); err != nil {
			return fmt.Errorf("block event re-index at height %d failed: %w", h, err)
		}
	}
	return nil
}

// loadHeight reads what indexing height needs from the stores: the block events and the
// transaction results.
func loadHeight(height int64, blocks BlockStore, results ResultStore) (types.EventDataNewBlockEvents, []*abci.TxResult, error) {
	var events types.EventDataNewBlockEvents
	block, err := blocks.LoadBlock(height)
	if err != nil {
		return events, nil, fmt.Errorf("not able to load block at height %d from the blockstore: %w", height, err)
	}
	resp, err := results.LoadFinalizeBlockResponse(height)
	if err != nil {
		return events, nil, fmt.Errorf("not able to load ABCI Response at height %d from the statestore: %w", height, err)
	}
	if len(resp.TxResults) != len(block.Txs) {
		return events, nil, fmt.Errorf("FinalizeBlock response at height %d has %d tx results for %d txs",
			height, len(resp.TxResults), len(block.Txs))
	}
	txResults := make([]*abci.TxResult, len(block.Txs))
	for i, tx := range block.Txs {
		r := &abci.TxResult{Height: height, Index: uint32(i), Tx: tx}
		if resp.TxResults[i] != nil {
			r.Result = *resp.TxResults[i]
		}
		txResults[i] = r
	}
	events = types.EventDataNewBlockEvents{Height: height, Events: resp.Events, NumTxs: int64(len(block.Txs))}
	return events, txResults, nil
}
