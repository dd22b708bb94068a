package state

import (
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/types"
)

// EventPublisher receives the events of every block the executor applies, after the block is
// committed and the new state saved, in this order: NewBlock, NewBlockHeader, NewBlockEvents,
// one NewEvidence per evidence, one Tx per transaction (in block order), and
// ValidatorSetUpdates when the block's FinalizeBlock returned validator updates.
//
// The executor calls it from its own goroutine; its methods must not block (the event bus
// drops slow subscribers rather than waiting). Arguments are shared read-only with the executor
// and the subscribers. An error is logged and does not undo the block.
type EventPublisher interface {
	PublishNewBlock(block *types.Block, blockID types.BlockID, resp *abci.ResponseFinalizeBlock) error
	PublishNewBlockHeader(header types.Header) error
	PublishNewBlockEvents(height int64, events []abci.Event, numTxs int64) error
	PublishNewEvidence(evidence types.Evidence, height int64) error
	PublishTx(result *abci.TxResult) error
	PublishValidatorSetUpdates(updates []*types.Validator) error
}

// NopEventPublisher discards every event.
type NopEventPublisher struct{}

var _ EventPublisher = NopEventPublisher{}

// PublishNewBlock does nothing.
func (NopEventPublisher) PublishNewBlock(*types.Block, types.BlockID, *abci.ResponseFinalizeBlock) error {
	return nil
}

// PublishNewBlockHeader does nothing.
func (NopEventPublisher) PublishNewBlockHeader(types.Header) error { return nil }

// PublishNewBlockEvents does nothing.
func (NopEventPublisher) PublishNewBlockEvents(int64, []abci.Event, int64) error { return nil }

// PublishNewEvidence does nothing.
func (NopEventPublisher) PublishNewEvidence(types.Evidence, int64) error { return nil }

// PublishTx does nothing.
func (NopEventPublisher) PublishTx(*abci.TxResult) error { return nil }

// PublishValidatorSetUpdates does nothing.
func (NopEventPublisher) PublishValidatorSetUpdates([]*types.Validator) error { return nil }

// publishEvents publishes the events of an applied block (see EventPublisher).
func (e *BlockExecutor) publishEvents(block *types.Block, blockID types.BlockID, resp *abci.ResponseFinalizeBlock, valUpdates []*types.Validator) {
	logErr := func(event string, err error) {
		if err != nil {
			e.logger.Error("publishing event failed", "event", event, "height", block.Height, "err", err)
		}
	}
	logErr("NewBlock", e.events.PublishNewBlock(block, blockID, resp))
	logErr("NewBlockHeader", e.events.PublishNewBlockHeader(block.Header))
	logErr("NewBlockEvents", e.events.PublishNewBlockEvents(block.Height, resp.Events, int64(len(block.Txs))))
	for _, ev := range block.Evidence.Evidence {
		logErr("NewEvidence", e.events.PublishNewEvidence(ev, block.Height))
	}
	for i, tx := range block.Txs {
		result := &abci.TxResult{Height: block.Height, Index: uint32(i), Tx: tx}
		if r := resp.TxResults[i]; r != nil {
			result.Result = *r
		}
		logErr("Tx", e.events.PublishTx(result))
	}
	if len(valUpdates) > 0 {
		logErr("ValidatorSetUpdates", e.events.PublishValidatorSetUpdates(valUpdates))
	}
}
