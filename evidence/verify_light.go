package evidence

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"github.com/ballot-bft/ballot/types"
)

// DefaultTrustLevel is the share of the common height's voting power that must have signed a
// conflicting block at another height for it to count as an attack (the light client's default
// trust level, 1/3).
var DefaultTrustLevel = types.Fraction{Numerator: 1, Denominator: 3}

// VerifyLightClientAttack checks ev against the node's chain: commonHeader is the node's signed
// header at ev.CommonHeight, commonVals the validator set of that height, trustedHeader the
// node's signed header at the conflicting block's height (or the node's latest header when the
// conflicting block is above it, a forward lunatic attack). All three are read-only.
//
// The checks follow CometBFT v0.38:
//   - lunatic attack (common height below the conflicting height): validators holding at least
//     DefaultTrustLevel of commonVals' power signed the conflicting block;
//   - equivocation or amnesia (same height): the conflicting header must be derived like the
//     trusted one (same validators, next validators, consensus, app and last results hashes);
//   - the conflicting block's own validator set signed it with more than 2/3 of its power;
//   - the evidence's total voting power is commonVals';
//   - the conflicting block differs from the trusted header: above the trusted height its time
//     must not be after the trusted header's (a forward lunatic attack breaks monotonic time),
//     otherwise the hashes must differ;
//   - ev.ByzantineValidators is exactly ByzantineValidators(ev, commonVals, trustedHeader), in
//     order, compared by address and power.
//
// Left out, as in CometBFT v0.38: the trusting period is not applied (the pool's expiry rule
// covers age), and an amnesia attack (commits in different rounds) names no validator.
//
// Errors for invalid evidence wrap types.ErrInvalidEvidence and one of ErrMalformed,
// ErrConflictingBlock, ErrPowerMismatch or ErrByzantineValidators; missing arguments are caller
// errors that do not.
func VerifyLightClientAttack(ev *types.LightClientAttackEvidence, commonHeader, trustedHeader *types.SignedHeader,
	commonVals *types.ValidatorSet,
) error {
	if err := ev.ValidateBasic(); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if commonHeader == nil || commonHeader.Header == nil || trustedHeader == nil || trustedHeader.Header == nil ||
		trustedHeader.Commit == nil || commonVals == nil {
		return errors.New("verifying light client attack: missing trusted header or validator set")
	}
	cb := ev.ConflictingBlock
	chainID := trustedHeader.ChainID
	if commonHeader.Height != cb.Height {
		if err := commonVals.VerifyCommitLightTrusting(chainID, cb.Commit, DefaultTrustLevel); err != nil {
			return invalid(ErrConflictingBlock, "skipping verification from the common height %d failed: %v",
				commonHeader.Height, err)
		}
	} else if ConflictingHeaderIsInvalid(cb.Header, trustedHeader.Header) {
		return invalid(ErrConflictingBlock,
			"conflicting block at the common height %d is not correctly derived", cb.Height)
	}
	if err := cb.ValidatorSet.VerifyCommitLight(chainID, cb.Commit.BlockID, cb.Height, cb.Commit); err != nil {
		return invalid(ErrConflictingBlock, "conflicting block's commit: %v", err)
	}
	if total := commonVals.TotalVotingPower(); ev.TotalVotingPower != total {
		return invalid(ErrPowerMismatch, "total voting power %d in the evidence, %d at the common height",
			ev.TotalVotingPower, total)
	}
	if cb.Height > trustedHeader.Height {
		if cb.Time.After(trustedHeader.Time) {
			return invalid(ErrConflictingBlock, "conflicting block time %v is after the latest header's %v (no forward lunatic attack)",
				cb.Time, trustedHeader.Time)
		}
	} else if bytes.Equal(trustedHeader.Hash(), cb.Hash()) {
		return invalid(ErrConflictingBlock, "conflicting block is the trusted block %X", trustedHeader.Hash())
	}
	want := ByzantineValidators(ev, commonVals, trustedHeader)
	if len(want) != len(ev.ByzantineValidators) {
		return invalid(ErrByzantineValidators, "expected %d byzantine validators, evidence names %d",
			len(want), len(ev.ByzantineValidators))
	}
	for i, v := range want {
		got := ev.ByzantineValidators[i]
		if !bytes.Equal(got.Address, v.Address) {
			return invalid(ErrByzantineValidators, "byzantine validator %d is %X, expected %X",
				i, []byte(got.Address), []byte(v.Address))
		}
		if got.VotingPower != v.VotingPower {
			return invalid(ErrByzantineValidators, "byzantine validator %d (%X) has power %d, expected %d",
				i, []byte(v.Address), got.VotingPower, v.VotingPower)
		}
	}
	return nil
}

// ConflictingHeaderIsInvalid reports whether conflicting could not have been derived from the
// same state as trusted: its validators, next validators, consensus, app or last results hash
// differs. Such a header is a lunatic attack.
func ConflictingHeaderIsInvalid(conflicting, trusted *types.Header) bool {
	return !bytes.Equal(trusted.ValidatorsHash, conflicting.ValidatorsHash) ||
		!bytes.Equal(trusted.NextValidatorsHash, conflicting.NextValidatorsHash) ||
		!bytes.Equal(trusted.ConsensusHash, conflicting.ConsensusHash) ||
		!bytes.Equal(trusted.AppHash, conflicting.AppHash) ||
		!bytes.Equal(trusted.LastResultsHash, conflicting.LastResultsHash)
}

// ByzantineValidators returns the validators a light client attack accuses, ordered by voting
// power descending then address ascending:
//   - lunatic attack (the conflicting header is invalid against trusted): the members of
//     commonVals that signed the conflicting block;
//   - equivocation (same round in both commits): the validators that signed both the trusted
//     and the conflicting block, taken from the conflicting block's set (equal to the trusted
//     set, as the headers agree on the validators hash);
//   - amnesia (different rounds): none, as the attackers cannot be told apart.
//
// ev must have passed ValidateBasic; the returned validators are shared with the sets.
func ByzantineValidators(ev *types.LightClientAttackEvidence, commonVals *types.ValidatorSet,
	trusted *types.SignedHeader,
) []*types.Validator {
	cb := ev.ConflictingBlock
	var out []*types.Validator
	switch {
	case ConflictingHeaderIsInvalid(cb.Header, trusted.Header):
		for _, sig := range cb.Commit.Signatures {
			if !sig.ForBlock() {
				continue
			}
			if _, v := commonVals.GetByAddress(sig.ValidatorAddress); v != nil {
				out = append(out, v)
			}
		}
	case trusted.Commit.Round == cb.Commit.Round:
		trustedSigs := trusted.Commit.Signatures
		for i, sig := range cb.Commit.Signatures {
			if i >= len(trustedSigs) {
				break
			}
			if !sig.ForBlock() || !trustedSigs[i].ForBlock() {
				continue
			}
			if _, v := cb.ValidatorSet.GetByAddress(sig.ValidatorAddress); v != nil {
				out = append(out, v)
			}
		}
	default:
		return nil
	}
	slices.SortStableFunc(out, byPowerThenAddress)
	return out
}

// byPowerThenAddress orders validators by voting power descending, then address ascending.
func byPowerThenAddress(a, b *types.Validator) int {
	switch {
	case a.VotingPower > b.VotingPower:
		return -1
	case a.VotingPower < b.VotingPower:
		return 1
	}
	return bytes.Compare(a.Address, b.Address)
}
