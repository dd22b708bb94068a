package null

import (
	"context"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/state/txindex"
)

// TxIndex discards what it is given. The zero value is ready; it is safe for concurrent use.
type TxIndex struct{}

var _ txindex.TxIndexer = TxIndex{}

// AddBatch does nothing and returns nil.
func (TxIndex) AddBatch(*txindex.Batch) error { return nil }

// Index does nothing and returns nil.
func (TxIndex) Index(*abci.TxResult) error { return nil }

// Get fails with txindex.ErrDisabled.
func (TxIndex) Get([]byte) (*abci.TxResult, error) { return nil, txindex.ErrDisabled }

// Search fails with txindex.ErrDisabled.
func (TxIndex) Search(context.Context, *query.Query, txindex.SearchOptions) ([]*abci.TxResult, int, error) {
	return nil, 0, txindex.ErrDisabled
}
