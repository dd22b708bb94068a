package txindex

import (
	"context"
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// Errors with CometBFT's texts, which the RPC layer reports as they are.
var (
	// ErrEmptyHash: Get was asked for an empty hash.
	ErrEmptyHash = errors.New("transaction hash cannot be empty")
	// ErrDisabled: transaction indexing is off (tx_index.indexer = "null").
	ErrDisabled = errors.New("transaction indexing is disabled")
)

// TxIndexer indexes transaction results and searches them. Implementations are safe for
// concurrent use: the indexer service writes while RPC handlers read. Results passed in are
// only read; results returned belong to the caller.
type TxIndexer interface {
	// AddBatch indexes every result of b in one durable write: all or nothing. Results with a
	// non-zero code are indexed too, and a result overwrites any earlier one with the same
	// transaction hash. An event composing to a reserved key fails the whole batch with an
	// *eventquery.ReservedKeyError.
	AddBatch(b *Batch) error

	// Index indexes one result like AddBatch, except that a failed result (non-zero code)
	// does not overwrite a successful one already stored under the same hash.
	Index(result *abci.TxResult) error

	// Get returns the result stored under the transaction hash (SHA-256 of the tx), or nil and
	// no error if there is none. An empty hash gives ErrEmptyHash.
	Get(hash []byte) (*abci.TxResult, error)

	// Search returns the results matching q, deduplicated by transaction hash and sorted by
	// (height, index) in opts.Order, cut to opts.Window, and total, the number of matches
	// before the cut. It returns ctx's error if ctx ends first.
	Search(ctx context.Context, q *query.Query, opts SearchOptions) (results []*abci.TxResult, total int, err error)
}

// Batch is the results of one block's transactions, indexed together. It is not safe for
// concurrent use, and must not change while AddBatch runs.
type Batch struct {
	// Ops[i] is the result of the transaction at index i of the block; AddBatch requires every
	// entry to be set.
	Ops []*abci.TxResult
}

// NewBatch returns a batch for a block of n transactions.
func NewBatch(n int) *Batch {
	return &Batch{Ops: make([]*abci.TxResult, n)}
}

// Add puts result at position result.Index, replacing what was there. It fails if the index is
// outside the batch.
func (b *Batch) Add(result *abci.TxResult) error {
	if int64(result.Index) >= int64(len(b.Ops)) {
		return fmt.Errorf("tx index %d is outside a batch of %d", result.Index, len(b.Ops))
	}
	b.Ops[result.Index] = result
	return nil
}

// Size returns the number of positions in the batch.
func (b *Batch) Size() int { return len(b.Ops) }
