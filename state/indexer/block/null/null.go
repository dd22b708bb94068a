package null

import (
	"context"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	"github.com/ballot-bft/ballot/state/indexer"
	"github.com/ballot-bft/ballot/types"
)

// Indexer discards what it is given. The zero value is ready; it is safe for concurrent use.
type Indexer struct{}

var _ indexer.BlockIndexer = Indexer{}

// Has fails with indexer.ErrDisabled.
func (Indexer) Has(int64) (bool, error) { return false, indexer.ErrDisabled }

// Index does nothing and returns nil.
func (Indexer) Index(types.EventDataNewBlockEvents) error { return nil }

// Search fails with indexer.ErrDisabled.
func (Indexer) Search(context.Context, *query.Query) ([]int64, error) {
	return nil, indexer.ErrDisabled
}
