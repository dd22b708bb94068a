package state_test

import (
	"github.com/ballot-bft/ballot/blockstore"
	"github.com/ballot-bft/ballot/consensus"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// The executor is what the consensus driver needs, and the node's block store and event bus
// are what the executor needs.
var (
	_ consensus.Executor   = (*state.BlockExecutor)(nil)
	_ state.BlockStore     = (*blockstore.BlockStore)(nil)
	_ state.EventPublisher = (*types.EventBus)(nil)
	_ state.EventPublisher = types.NopEventBus{}
)
