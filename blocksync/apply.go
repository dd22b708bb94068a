package blocksync

import (
	"context"
	"fmt"

	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// applier verifies, saves and executes the blocks the scheduler hands it, one at a time, on its
// own goroutine, so that requests and answers keep flowing while a block executes. It owns the
// chain state from st on. A block that does not verify is reported in the result; a failure to
// save or execute a verified block is returned (the node must stop).
func (r *Reactor) applier(ctx context.Context, st state.State, jobs <-chan applyJob, results chan<- applyResult) error {
	for job := range jobs {
		id, parts, err := r.verify(st, job)
		if err != nil {
			results <- applyResult{bad: err}
			continue
		}
		first := job.first
		if job.ext != nil {
			err = r.store.SaveBlockWithExtendedCommit(first, parts, job.ext)
		} else {
			err = r.store.SaveBlock(first, parts, job.second.LastCommit)
		}
		if err != nil {
			return fmt.Errorf("blocksync: saving block %d: %w", first.Height, err)
		}
		next, err := r.exec.ApplyVerifiedBlock(ctx, st, id, first)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("blocksync: executing block %d: %w", first.Height, err)
		}
		st = next
		r.metrics.applied(first)
		results <- applyResult{state: st}
	}
	return nil
}

// verify checks the next block against st (p2p.md §8): the commit carried by the block after it
// must commit it with more than 2/3 of st's validators (VerifyCommit: every signature present is
// checked); the extended commit must come with it exactly when vote extensions are enabled at
// its height, and then verify with its extension signatures; and the block must be valid on st
// (state.BlockExecutor.ValidateBlock, evidence included). Errors wrap ErrBadBlock.
func (r *Reactor) verify(st state.State, job applyJob) (types.BlockID, *types.PartSet, error) {
	first, second := job.first, job.second
	bad := func(format string, args ...any) (types.BlockID, *types.PartSet, error) {
		return types.BlockID{}, nil, fmt.Errorf("%w %d: %w", ErrBadBlock, first.Height, fmt.Errorf(format, args...))
	}
	want := st.LastBlockHeight + 1
	if st.LastBlockHeight == 0 {
		want = st.InitialHeight
	}
	if first.Height != want || second.Height != want+1 {
		// The pool hands out heights in order: anything else is a broken invariant.
		panic(fmt.Sprintf("blocksync: applier got blocks %d and %d at state height %d", first.Height, second.Height, st.LastBlockHeight))
	}
	parts, err := first.MakePartSet(types.BlockPartSizeBytes)
	if err != nil {
		return bad("making parts: %w", err)
	}
	id := types.BlockID{Hash: first.Hash(), PartSetHeader: parts.Header()}
	if err := st.Validators.VerifyCommit(st.ChainID, id, first.Height, second.LastCommit); err != nil {
		return bad("commit from block %d: %w", second.Height, err)
	}
	extEnabled := st.ConsensusParams.ABCI.VoteExtensionsEnabled(first.Height)
	switch {
	case extEnabled && job.ext == nil:
		return bad("vote extensions are enabled but no extended commit came with it")
	case !extEnabled && job.ext != nil:
		return bad("vote extensions are disabled but an extended commit came with it")
	case extEnabled:
		if err := st.Validators.VerifyCommitExtended(st.ChainID, id, first.Height, job.ext); err != nil {
			return bad("extended commit: %w", err)
		}
	}
	if err := r.exec.ValidateBlock(st, first); err != nil {
		return bad("%w", err)
	}
	return id, parts, nil
}
