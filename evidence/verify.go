package evidence

import (
	"fmt"

	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// verify checks ev against the chain as of st (see the package documentation). It reads the
// stores but not the pool's fields, so it runs without the pool's lock.
func (p *Pool) verify(st state.State, ev types.Evidence) error {
	if ev == nil {
		return invalid(ErrMalformed, "nil evidence")
	}
	if err := ev.ValidateBasic(); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	height := ev.Height()
	if height > st.LastBlockHeight {
		return invalid(ErrFromFuture, "evidence height %d is above the last committed height %d", height, st.LastBlockHeight)
	}
	meta, err := p.blockStore.LoadBlockMeta(height)
	if err != nil {
		return invalid(ErrUnknownHeight, "no header at height %d: %v", height, err)
	}
	blockTime := meta.Header.Time
	if !ev.Time().Equal(blockTime) {
		return invalid(ErrTimeMismatch, "evidence time %v, block %d time %v",
			types.CanonicalTime(ev.Time()), height, types.CanonicalTime(blockTime))
	}
	if expired(st, height, blockTime) {
		params := st.ConsensusParams.Evidence
		return invalid(ErrExpired, "evidence from height %d (%v) is older than %d blocks and %v at height %d (%v)",
			height, types.CanonicalTime(blockTime), params.MaxAgeNumBlocks, params.MaxAgeDuration,
			st.LastBlockHeight, types.CanonicalTime(st.LastBlockTime))
	}
	switch ev := ev.(type) {
	case *types.DuplicateVoteEvidence:
		vals, err := p.stateStore.LoadValidators(height)
		if err != nil {
			return invalid(ErrUnknownHeight, "no validator set at height %d: %v", height, err)
		}
		return VerifyDuplicateVote(ev, st.ChainID, vals)
	case *types.LightClientAttackEvidence:
		return p.verifyLightClientAttack(ev)
	default:
		return invalid(ErrMalformed, "unknown evidence type %T", ev)
	}
}

// verifyLightClientAttack loads what VerifyLightClientAttack needs from the stores.
func (p *Pool) verifyLightClientAttack(ev *types.LightClientAttackEvidence) error {
	common, err := p.signedHeader(ev.CommonHeight)
	if err != nil {
		return invalid(ErrUnknownHeight, "common height: %v", err)
	}
	commonVals, err := p.stateStore.LoadValidators(ev.CommonHeight)
	if err != nil {
		return invalid(ErrUnknownHeight, "no validator set at the common height %d: %v", ev.CommonHeight, err)
	}
	trusted := common
	if conflicting := ev.ConflictingBlock.Height; conflicting != ev.CommonHeight {
		trusted, err = p.signedHeader(conflicting)
		if err != nil {
			// No block at the conflicting height: a forward lunatic attack is judged against
			// the latest block, which must not be older than the conflicting one.
			latest := p.blockStore.Height()
			trusted, err = p.signedHeader(latest)
			if err != nil {
				return invalid(ErrUnknownHeight, "latest height: %v", err)
			}
			if trusted.Time.Before(ev.ConflictingBlock.Time) {
				return invalid(ErrConflictingBlock, "latest block time %v is before the conflicting block time %v",
					types.CanonicalTime(trusted.Time), types.CanonicalTime(ev.ConflictingBlock.Time))
			}
		}
	}
	return VerifyLightClientAttack(ev, common, trusted, commonVals)
}

// signedHeader returns the node's header of height with its commit: the canonical commit, or
// the seen commit for the latest height.
func (p *Pool) signedHeader(height int64) (*types.SignedHeader, error) {
	meta, err := p.blockStore.LoadBlockMeta(height)
	if err != nil {
		return nil, fmt.Errorf("no header at height %d: %w", height, err)
	}
	commit, err := p.blockStore.LoadBlockCommit(height)
	if err != nil {
		seen, seenErr := p.blockStore.LoadSeenCommit(height)
		if seenErr != nil {
			return nil, fmt.Errorf("no commit at height %d: %w", height, err)
		}
		commit = seen
	}
	header := meta.Header
	return &types.SignedHeader{Header: &header, Commit: commit}, nil
}
