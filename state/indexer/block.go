package indexer

import (
	"context"
	"errors"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	"github.com/ballot-bft/ballot/types"
)

// ErrDisabled: block indexing is off (tx_index.indexer = "null"); the text is what the
// block_search route reports.
var ErrDisabled = errors.New("block indexing is disabled")

// BlockIndexer indexes blocks by their FinalizeBlock events and searches them.
// Implementations are safe for concurrent use: the indexer service writes while RPC handlers
// read.
type BlockIndexer interface {
	// Has reports whether the block at height is indexed.
	Has(height int64) (bool, error)

	// Index indexes a block's FinalizeBlock events (only attributes with index=true are
	// searchable) and marks its height as indexed, in one durable write. An event composing to
	// block.height fails the whole block with an error wrapping an
	// *eventquery.ReservedKeyError. block is only read.
	Index(block types.EventDataNewBlockEvents) error

	// Search returns the heights of the indexed blocks matching q, each once, newest first
	// (block_search's default order). It returns ctx's error if ctx ends first.
	Search(ctx context.Context, q *query.Query) ([]int64, error)
}
