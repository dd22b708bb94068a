package state

import (
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/types"
)

// EventPublisher receives the events of every block the executor applies (the node's
// *types.EventBus; types.NopEventBus discards them). They are published after the block is
// committed and the new state saved, in this order: NewBlock, NewBlockHeader, NewBlockEvents,
// one NewEvidence per evidence, one Tx per transaction (in block order), and
// ValidatorSetUpdates when FinalizeBlock returned validator updates.
//
// The executor calls it from its own goroutine; publishing must not block. The payloads share
// the block and the FinalizeBlock response with the executor: subscribers treat them as
// read-only. An error is logged and does not undo the block.
type EventPublisher = types.BlockEventPublisher

// publishEvents publishes the events of an applied block (see EventPublisher).
func (e *BlockExecutor) publishEvents(block *types.Block, blockID types.BlockID, resp *abci.ResponseFinalizeBlock, valUpdates []*types.Validator) {
	logErr := func(event string, err error) {
		if err != nil {
			e.logger.Error("publishing event failed", "event", event, "height", block.Height, "err", err)
		}
	}
	logErr("NewBlock", e.events.PublishEventNewBlock(types.EventDataNewBlock{
		Block: block, BlockID: blockID, ResultFinalizeBlock: *resp,
	}))
	logErr("NewBlockHeader", e.events.PublishEventNewBlockHeader(types.EventDataNewBlockHeader{Header: block.Header}))
	logErr("NewBlockEvents", e.events.PublishEventNewBlockEvents(types.EventDataNewBlockEvents{
		Height: block.Height, Events: resp.Events, NumTxs: int64(len(block.Txs)),
	}))
	for _, ev := range block.Evidence.Evidence {
		logErr("NewEvidence", e.events.PublishEventNewEvidence(types.EventDataNewEvidence{Height: block.Height, Evidence: ev}))
	}
	for i, tx := range block.Txs {
		result := abci.TxResult{Height: block.Height, Index: uint32(i), Tx: tx}
		if r := resp.TxResults[i]; r != nil {
			result.Result = *r
		}
		logErr("Tx", e.events.PublishEventTx(types.EventDataTx{TxResult: result}))
	}
	if len(valUpdates) > 0 {
		logErr("ValidatorSetUpdates", e.events.PublishEventValidatorSetUpdates(types.EventDataValidatorSetUpdates{ValidatorUpdates: valUpdates}))
	}
}
