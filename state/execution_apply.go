package state

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/abci/appconn"
	"github.com/ballot-bft/ballot/libs/fail"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/types"
)

// ApplyBlock validates block against st (BlockExecutor.ValidateBlock) and executes it
// (ApplyVerifiedBlock). blockID must be block's ID. The handshake replays stored blocks with it.
func (e *BlockExecutor) ApplyBlock(ctx context.Context, st State, blockID types.BlockID, block *types.Block) (State, error) {
	if err := e.ValidateBlock(st, block); err != nil {
		return st, err
	}
	return e.ApplyVerifiedBlock(ctx, st, blockID, block)
}

// ApplyVerifiedBlock executes a decided block that has been validated against st and returns
// the state after it. The block must already be durable in the block store (consensus.md §4.9),
// so that every crash point below is recoverable by the Handshaker:
//
//  1. FinalizeBlock with decided_last_commit; one tx result per transaction is required.
//  2. The response is saved (synced) — before Commit, so the handshake can rebuild the state
//     without the app when the app committed but the state was not saved.
//  3. The next state is computed: validator updates (checked against validator.pub_key_types)
//     for H+2, param updates for H+1 (UpdateState).
//  4. The mempool is locked, its connection flushed, the app's Commit called, the mempool
//     updated with the block's transactions and results, and the mempool unlocked.
//  5. The new state is saved, not synced: a power loss that takes it leaves the case of step 2,
//     which the handshake repairs from the response (the next height's synced response write
//     makes it durable).
//  6. The evidence pool is updated; blocks (and states) below the app's retain_height are
//     pruned when it is positive (failures are logged, the block stays applied).
//  7. The block's events are published (failures are logged).
//
// An error before step 4 leaves the app uncommitted; an error in step 4 or 5 leaves the app
// ahead of the saved state, which the handshake repairs from the response saved in step 2.
// Either way the caller must stop: st is still the last saved state, but the app may not be at
// it. On error the returned State is st.
func (e *BlockExecutor) ApplyVerifiedBlock(ctx context.Context, st State, blockID types.BlockID, block *types.Block) (State, error) {
	if block == nil {
		return st, errors.New("apply block: nil block")
	}
	req, err := e.finalizeBlockRequest(st, block)
	if err != nil {
		return st, fmt.Errorf("apply block: %w", err)
	}
	start := time.Now()
	resp, err := e.app.FinalizeBlock(ctx, req)
	if err != nil {
		return st, fmt.Errorf("apply block %d: FinalizeBlock: %w", block.Height, err)
	}
	e.metrics.BlockProcessingTime.Observe(millisecondsSince(start))
	if len(resp.TxResults) != len(block.Txs) {
		return st, fmt.Errorf("apply block %d: %w: %d txs, %d results",
			block.Height, ErrTxResultsMismatch, len(block.Txs), len(resp.TxResults))
	}
	fail.Point("exec.afterFinalizeBlock")
	if err := e.store.SaveFinalizeBlockResponse(block.Height, resp); err != nil {
		return st, fmt.Errorf("apply block %d: %w", block.Height, err)
	}
	fail.Point("exec.afterSaveResponses")

	next, valUpdates, err := nextState(st, blockID, block, resp)
	if err != nil {
		return st, fmt.Errorf("apply block %d: %w", block.Height, err)
	}
	if len(valUpdates) > 0 {
		e.metrics.ValidatorSetUpdates.Add(1)
		e.logger.Debug("validator updates", "height", block.Height, "updates", len(valUpdates))
	}
	if resp.ConsensusParamUpdates != nil {
		e.metrics.ConsensusParamUpdates.Add(1)
		e.logger.Debug("consensus params updated", "height", block.Height)
	}

	retainHeight, err := e.commit(ctx, block, resp, next)
	if err != nil {
		return st, fmt.Errorf("apply block %d: %w", block.Height, err)
	}
	fail.Point("exec.afterAppCommit")
	if err := e.store.Save(next); err != nil {
		return st, fmt.Errorf("apply block %d: %w", block.Height, err)
	}
	fail.Point("exec.afterSaveState")
	e.evpool.Update(next, block.Evidence.Evidence)

	if retainHeight > 0 {
		pruned, err := e.pruneBlocks(retainHeight, next)
		if err != nil {
			e.logger.Error("pruning blocks failed", "retain_height", retainHeight, "err", err)
		} else if pruned > 0 {
			e.logger.Debug("pruned blocks", "pruned", pruned, "retain_height", retainHeight)
		}
	}
	e.publishEvents(block, blockID, resp, valUpdates)
	return next, nil
}

// nextState computes the state after block from the FinalizeBlock response.
func nextState(st State, blockID types.BlockID, block *types.Block, resp *abci.ResponseFinalizeBlock) (State, []*types.Validator, error) {
	valUpdates, err := ValidatorUpdatesFromABCI(resp.ValidatorUpdates, st.ConsensusParams.Validator)
	if err != nil {
		return st, nil, err
	}
	next, err := UpdateState(st, blockID, &block.Header, BlockResults{
		ValidatorUpdates:      valUpdates,
		ConsensusParamUpdates: resp.ConsensusParamUpdates,
		AppHash:               resp.AppHash,
		LastResultsHash:       TxResultsHash(resp.TxResults),
	})
	if err != nil {
		return st, nil, err
	}
	return next, valUpdates, nil
}

// commit runs the app's Commit inside the mempool's update exclusion (abci.md §4.3) and returns
// the app's retain height. next is the state after the block, whose limits the mempool adopts.
func (e *BlockExecutor) commit(ctx context.Context, block *types.Block, resp *abci.ResponseFinalizeBlock, next State) (int64, error) {
	e.mempool.Lock()
	defer e.mempool.Unlock()
	if err := e.mempool.FlushAppConn(ctx); err != nil {
		return 0, fmt.Errorf("flushing the mempool connection before Commit: %w", err)
	}
	res, err := e.app.Commit(ctx, &abci.RequestCommit{})
	if err != nil {
		return 0, fmt.Errorf("Commit: %w", err)
	}
	if checker, ok := e.mempool.(stateChecker); ok {
		checker.setState(next)
	}
	if err := e.mempool.Update(block.Height, block.Txs, resp.TxResults); err != nil {
		return 0, fmt.Errorf("updating the mempool after Commit: %w", err)
	}
	return res.RetainHeight, nil
}

// pruneBlocks deletes the blocks below retainHeight from the block store and the states below
// it from the state store (keeping what evidence verification still needs).
func (e *BlockExecutor) pruneBlocks(retainHeight int64, st State) (uint64, error) {
	if e.blockStore == nil {
		return 0, nil
	}
	base := e.blockStore.Base()
	if retainHeight <= base {
		return 0, nil
	}
	pruned, evidencePoint, err := e.blockStore.PruneBlocks(retainHeight, evidenceWindow(st))
	if err != nil {
		return 0, fmt.Errorf("pruning the block store below %d: %w", retainHeight, err)
	}
	if err := e.store.PruneStates(base, retainHeight, evidencePoint); err != nil {
		return pruned, fmt.Errorf("pruning the state store below %d: %w", retainHeight, err)
	}
	return pruned, nil
}

// ExecCommitBlock executes block on app without touching any node state: FinalizeBlock, then
// Commit. It returns the app hash FinalizeBlock returned. The handshake uses it to bring an
// application that is behind the node up to the node's height. st is any state of the chain
// (for the initial height and the validator sets of recent heights); store gives the validator
// set of block.Height-1 when st does not.
func ExecCommitBlock(ctx context.Context, app appconn.Consensus, block *types.Block, st State, store Store) ([]byte, error) {
	e := &BlockExecutor{store: store, app: app}
	req, err := e.finalizeBlockRequest(st, block)
	if err != nil {
		return nil, fmt.Errorf("replay block: %w", err)
	}
	resp, err := app.FinalizeBlock(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("replay block %d: FinalizeBlock: %w", block.Height, err)
	}
	if len(resp.TxResults) != len(block.Txs) {
		return nil, fmt.Errorf("replay block %d: %w: %d txs, %d results",
			block.Height, ErrTxResultsMismatch, len(block.Txs), len(resp.TxResults))
	}
	if _, err := app.Commit(ctx, &abci.RequestCommit{}); err != nil {
		return nil, fmt.Errorf("replay block %d: Commit: %w", block.Height, err)
	}
	return resp.AppHash, nil
}
