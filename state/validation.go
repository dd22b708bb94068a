package state

import (
	"bytes"
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/types"
)

// ValidateBlock checks that block may follow state (consensus.md §8, CometBFT's
// state/validation.go), in this order:
//   - block.ValidateBasic;
//   - header version (block and app) equal to state.Version.Consensus; chain id equal;
//   - height = InitialHeight while no block is executed, else LastBlockHeight+1;
//   - last_block_id equal to state.LastBlockID;
//   - app_hash, consensus_hash, last_results_hash, validators_hash and next_validators_hash equal
//     to the state's;
//   - last commit: without signatures at the initial height, else verified by
//     state.LastValidators.VerifyCommit for LastBlockID at height-1;
//   - proposer_address is a member of state.Validators (which round's proposer it was cannot be
//     known here);
//   - time before now+tolerance (skipped when tolerance ≤ 0, for replaying stored blocks);
//   - time equal to the genesis time at the initial height, else after LastBlockTime and equal
//     to types.MedianTime(last commit, LastValidators);
//   - evidence size ≤ evidence.max_bytes. (Verifying the evidence itself is the evidence pool's
//     job.)
//
// Every error wraps ErrInvalidBlock and names the field with the expected and the actual value.
// ValidateBlock is pure: it reads state and block and does no I/O.
func ValidateBlock(state State, block *types.Block, now time.Time, tolerance time.Duration) error {
	if block == nil {
		return invalid("nil block")
	}
	if err := block.ValidateBasic(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidBlock, err)
	}
	h := &block.Header
	if h.Version != state.Version.Consensus {
		return invalid("header version: want {block %d, app %d}, got {block %d, app %d}",
			state.Version.Consensus.Block, state.Version.Consensus.App, h.Version.Block, h.Version.App)
	}
	if h.ChainID != state.ChainID {
		return invalid("header chain_id: want %q, got %q", state.ChainID, h.ChainID)
	}
	if want := state.nextHeight(); h.Height != want {
		return invalid("header height: want %d, got %d", want, h.Height)
	}
	if !h.LastBlockID.Equals(state.LastBlockID) {
		return invalid("header last_block_id: want %v, got %v", state.LastBlockID, h.LastBlockID)
	}
	if err := checkStateHashes(state, h); err != nil {
		return err
	}
	if err := checkLastCommit(state, block); err != nil {
		return err
	}
	if !state.Validators.HasAddress(h.ProposerAddress) {
		return invalid("header proposer_address %v is not in the validator set of height %d", h.ProposerAddress, h.Height)
	}
	if err := checkTime(state, block, now, tolerance); err != nil {
		return err
	}
	size, err := block.Evidence.ByteSize()
	if err != nil {
		return fmt.Errorf("%w: evidence: %w", ErrInvalidBlock, err)
	}
	if maxBytes := state.ConsensusParams.Evidence.MaxBytes; size > maxBytes {
		return invalid("evidence size: max %d bytes (evidence.max_bytes), got %d", maxBytes, size)
	}
	return nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidBlock, fmt.Sprintf(format, args...))
}

// nextHeight returns the height of the block that follows state.
func (state State) nextHeight() int64 {
	if state.LastBlockHeight == 0 {
		return state.InitialHeight
	}
	return state.LastBlockHeight + 1
}

// checkStateHashes compares the header fields that commit to the state.
func checkStateHashes(state State, h *types.Header) error {
	checks := []struct {
		field     string
		want, got []byte
	}{
		{"app_hash", state.AppHash, h.AppHash},
		{"consensus_hash", state.ConsensusParams.Hash(), h.ConsensusHash},
		{"last_results_hash", state.LastResultsHash, h.LastResultsHash},
		{"validators_hash", state.Validators.Hash(), h.ValidatorsHash},
		{"next_validators_hash", state.NextValidators.Hash(), h.NextValidatorsHash},
	}
	for _, c := range checks {
		if !bytes.Equal(c.want, c.got) {
			return invalid("header %s: want %X, got %X", c.field, c.want, c.got)
		}
	}
	return nil
}

// checkLastCommit checks the block's LastCommit: empty at the initial height, otherwise +2/3 of
// LastValidators signed LastBlockID at height-1.
func checkLastCommit(state State, block *types.Block) error {
	if block.Height == state.InitialHeight {
		if n := len(block.LastCommit.Signatures); n != 0 {
			return invalid("last_commit: want no signatures at the initial height %d, got %d", block.Height, n)
		}
		return nil
	}
	err := state.LastValidators.VerifyCommit(state.ChainID, state.LastBlockID, block.Height-1, block.LastCommit)
	if err != nil {
		return fmt.Errorf("%w: last_commit: %w", ErrInvalidBlock, err)
	}
	return nil
}

// checkTime applies the BFT-time rules and the future-time tolerance.
func checkTime(state State, block *types.Block, now time.Time, tolerance time.Duration) error {
	t := block.Time
	if tolerance > 0 {
		if limit := now.Add(tolerance); !t.Before(limit) {
			return invalid("header time %v is too far in the future: must be before %v (now %v + block_time_tolerance %v)",
				t, limit, now, tolerance)
		}
	}
	switch {
	case block.Height == state.InitialHeight:
		if !t.Equal(state.LastBlockTime) {
			return invalid("header time: want the genesis time %v at the initial height, got %v", state.LastBlockTime, t)
		}
	case block.Height > state.InitialHeight:
		if !t.After(state.LastBlockTime) {
			return invalid("header time %v is not after the last block time %v", t, state.LastBlockTime)
		}
		if median := types.MedianTime(block.LastCommit, state.LastValidators); !t.Equal(median) {
			return invalid("header time: want %v (median of the last commit), got %v", median, t)
		}
	default:
		return invalid("header height %d is below the initial height %d", block.Height, state.InitialHeight)
	}
	return nil
}
