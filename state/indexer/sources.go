package indexer

import (
	"context"

	"github.com/ballot-bft/ballot/libs/pubsub"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/types"
)

// BlockStore is where catch-up and Reindex read committed blocks (*blockstore.BlockStore).
type BlockStore interface {
	// Base and Height are the lowest and highest stored heights (0 when empty).
	Base() int64
	Height() int64
	// LoadBlock returns the block at height; it fails if the block is not stored.
	LoadBlock(height int64) (*types.Block, error)
}

// ResultStore is where catch-up and Reindex read FinalizeBlock responses (state.Store).
type ResultStore interface {
	// LoadFinalizeBlockResponse returns the response saved for height; it fails if none is
	// (discarded or pruned).
	LoadFinalizeBlockResponse(height int64) (*abci.ResponseFinalizeBlock, error)
}

// EventBus is the bus the service subscribes to (*types.EventBus).
type EventBus interface {
	SubscribeUnbuffered(ctx context.Context, subscriber string, q pubsub.Query) (*pubsub.Subscription, error)
	UnsubscribeAll(ctx context.Context, subscriber string) error
}

// blockAndTxEvents selects the NewBlockEvents and Tx events, so that one lossless subscription
// delivers a block's events and then its transactions in publication order.
type blockAndTxEvents struct{}

func (blockAndTxEvents) Matches(events map[string][]string) (bool, error) {
	for _, v := range events[types.EventTypeKey] {
		if v == types.EventNewBlockEvents || v == types.EventTx {
			return true, nil
		}
	}
	return false, nil
}

func (blockAndTxEvents) String() string {
	return "tm.event = 'NewBlockEvents' OR tm.event = 'Tx'"
}
