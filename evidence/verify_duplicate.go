package evidence

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/types"
)

// VerifyDuplicateVote checks ev against chainID and valSet, the validator set of the votes'
// height (types.md §11): the two votes are of the same height, round, type and validator and for
// different block IDs, ordered by BlockID.Key; the validator is in valSet with the power the
// evidence claims, and the set's total power is the one claimed; both signatures verify. It does
// not check the evidence time or expiry (the pool does, against the block store).
//
// Errors for invalid evidence wrap types.ErrInvalidEvidence and one of ErrNotConflicting,
// ErrMalformed, ErrUnknownValidator, ErrPowerMismatch or ErrBadSignature. A nil valSet is a
// caller error, not wrapping types.ErrInvalidEvidence.
func VerifyDuplicateVote(ev *types.DuplicateVoteEvidence, chainID string, valSet *types.ValidatorSet) error {
	if ev == nil || ev.VoteA == nil || ev.VoteB == nil {
		return invalid(ErrMalformed, "duplicate vote evidence misses a vote")
	}
	a, b := ev.VoteA, ev.VoteB
	if a.Height != b.Height || a.Round != b.Round || a.Type != b.Type {
		return invalid(ErrNotConflicting, "height/round/type differ: %d/%d/%v vs %d/%d/%v",
			a.Height, a.Round, a.Type, b.Height, b.Round, b.Type)
	}
	if !bytes.Equal(a.ValidatorAddress, b.ValidatorAddress) {
		return invalid(ErrNotConflicting, "validator addresses differ: %X vs %X",
			[]byte(a.ValidatorAddress), []byte(b.ValidatorAddress))
	}
	if a.BlockID.Equals(b.BlockID) {
		return invalid(ErrNotConflicting, "both votes are for block %v", a.BlockID)
	}
	if err := ev.ValidateBasic(); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if valSet == nil {
		return errors.New("verifying duplicate vote evidence: nil validator set")
	}
	_, val := valSet.GetByAddress(a.ValidatorAddress)
	if val == nil {
		return invalid(ErrUnknownValidator, "%X was not a validator at height %d", []byte(a.ValidatorAddress), a.Height)
	}
	if val.VotingPower != ev.ValidatorPower {
		return invalid(ErrPowerMismatch, "validator power %d in the evidence, %d in the set", ev.ValidatorPower, val.VotingPower)
	}
	if total := valSet.TotalVotingPower(); total != ev.TotalVotingPower {
		return invalid(ErrPowerMismatch, "total voting power %d in the evidence, %d in the set", ev.TotalVotingPower, total)
	}
	if err := a.Verify(chainID, val.PubKey); err != nil {
		return fmt.Errorf("%w: %w: vote A: %w", types.ErrInvalidEvidence, ErrBadSignature, err)
	}
	if err := b.Verify(chainID, val.PubKey); err != nil {
		return fmt.Errorf("%w: %w: vote B: %w", types.ErrInvalidEvidence, ErrBadSignature, err)
	}
	return nil
}
