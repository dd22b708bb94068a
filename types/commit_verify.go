package types

import (
	"bytes"
	"errors"
	"fmt"
	"math/bits"

	"github.com/ballot-bft/ballot/crypto"
	cryptobatch "github.com/ballot-bft/ballot/crypto/batch"
)

// Commit verification (types.md §10). A commit is valid for a validator set when the signatures
// that are checked all verify and the voting power counted exceeds the needed share of the
// total: more than 2/3 (integer division) for the non-trusting checks, more than trustLevel for
// VerifyCommitLightTrusting.

var (
	// ErrCommitSetSizeMismatch: the commit does not have one entry per validator.
	ErrCommitSetSizeMismatch = errors.New("invalid commit: wrong number of signatures")
	// ErrCommitHeightMismatch: the commit is for another height.
	ErrCommitHeightMismatch = errors.New("invalid commit: wrong height")
	// ErrCommitBlockIDMismatch: the commit is for another block.
	ErrCommitBlockIDMismatch = errors.New("invalid commit: wrong block ID")
	// ErrCommitAddressMismatch: an entry's address is not that of the validator at its index.
	ErrCommitAddressMismatch = errors.New("invalid commit: validator address does not match the set")
	// ErrCommitWrongSignature: a checked signature does not verify.
	ErrCommitWrongSignature = errors.New("invalid commit: wrong signature")
	// ErrCommitDoubleVote: in trusting mode, two entries name the same validator.
	ErrCommitDoubleVote = errors.New("invalid commit: double vote")
)

// ErrNotEnoughVotingPowerSigned is returned when the counted voting power of a commit is not more
// than the power needed.
type ErrNotEnoughVotingPowerSigned struct {
	Got    int64
	Needed int64
}

func (e ErrNotEnoughVotingPowerSigned) Error() string {
	return fmt.Sprintf("invalid commit: insufficient voting power: got %d, needed more than %d", e.Got, e.Needed)
}

// Fraction is a ratio Numerator/Denominator, used as a light client's trust level.
type Fraction struct {
	Numerator   uint64
	Denominator uint64
}

func (f Fraction) String() string { return fmt.Sprintf("%d/%d", f.Numerator, f.Denominator) }

// batchVerifyThreshold is the smallest number of commit entries worth batch verification.
const batchVerifyThreshold = 2

// VerifyCommit checks that commit commits blockID at height and is signed by more than 2/3 of the
// set's voting power, the check consensus and blocksync apply to a block's last commit. Every
// entry that is not ABSENT (COMMIT and NIL) must be by the validator at its index and carry a
// valid signature; only COMMIT entries count toward the 2/3.
func (vals *ValidatorSet) VerifyCommit(chainID string, blockID BlockID, height int64, commit *Commit) error {
	if err := vals.checkCommitShape(commit, height, blockID); err != nil {
		return err
	}
	return vals.verifyCommitSignatures(chainID, commit, commitCheck{
		needed: vals.TotalVotingPower() * 2 / 3,
		skip:   func(cs CommitSig) bool { return cs.Absent() },
		count:  func(cs CommitSig) bool { return cs.ForBlock() },
		all:    true, byIndex: true,
	})
}

// VerifyCommitLight is VerifyCommit for light clients: only COMMIT entries are checked and
// counted, and checking stops once more than 2/3 of the power is counted.
func (vals *ValidatorSet) VerifyCommitLight(chainID string, blockID BlockID, height int64, commit *Commit) error {
	return vals.verifyCommitLight(chainID, blockID, height, commit, false)
}

// VerifyCommitLightAllSignatures is VerifyCommitLight checking every COMMIT entry.
func (vals *ValidatorSet) VerifyCommitLightAllSignatures(chainID string, blockID BlockID, height int64, commit *Commit) error {
	return vals.verifyCommitLight(chainID, blockID, height, commit, true)
}

func (vals *ValidatorSet) verifyCommitLight(chainID string, blockID BlockID, height int64, commit *Commit, all bool) error {
	if err := vals.checkCommitShape(commit, height, blockID); err != nil {
		return err
	}
	return vals.verifyCommitSignatures(chainID, commit, commitCheck{
		needed: vals.TotalVotingPower() * 2 / 3,
		skip:   func(cs CommitSig) bool { return !cs.ForBlock() },
		count:  func(CommitSig) bool { return true },
		all:    all, byIndex: true,
	})
}

// VerifyCommitLightTrusting checks that validators of this set holding more than trustLevel of
// its voting power signed commit (whose own validator set may differ). COMMIT entries are matched
// to this set by address: unknown addresses are skipped, an address appearing twice is
// ErrCommitDoubleVote. Checking stops once enough power is counted. The commit must have passed
// ValidateBasic.
func (vals *ValidatorSet) VerifyCommitLightTrusting(chainID string, commit *Commit, trustLevel Fraction) error {
	return vals.verifyCommitLightTrusting(chainID, commit, trustLevel, false)
}

// VerifyCommitLightTrustingAllSignatures is VerifyCommitLightTrusting checking every COMMIT entry
// of a member.
func (vals *ValidatorSet) VerifyCommitLightTrustingAllSignatures(chainID string, commit *Commit, trustLevel Fraction) error {
	return vals.verifyCommitLightTrusting(chainID, commit, trustLevel, true)
}

func (vals *ValidatorSet) verifyCommitLightTrusting(chainID string, commit *Commit, trustLevel Fraction, all bool) error {
	switch {
	case vals == nil:
		return errors.New("invalid commit: nil validator set")
	case commit == nil:
		return errors.New("invalid commit: nil commit")
	case trustLevel.Denominator == 0:
		return fmt.Errorf("invalid trust level %v: zero denominator", trustLevel)
	}
	hi, product := bits.Mul64(uint64(vals.TotalVotingPower()), trustLevel.Numerator)
	if hi != 0 || product > 1<<63-1 {
		return fmt.Errorf("invalid trust level %v: total voting power × numerator overflows int64", trustLevel)
	}
	return vals.verifyCommitSignatures(chainID, commit, commitCheck{
		needed: int64(product / trustLevel.Denominator),
		skip:   func(cs CommitSig) bool { return !cs.ForBlock() },
		count:  func(CommitSig) bool { return true },
		all:    all, byIndex: false,
	})
}

// VerifyCommitExtended is VerifyCommit for an extended commit when vote extensions are enabled:
// every COMMIT entry must also carry an extension signature, and each must verify.
func (vals *ValidatorSet) VerifyCommitExtended(chainID string, blockID BlockID, height int64, extCommit *ExtendedCommit) error {
	if extCommit == nil {
		return errors.New("invalid commit: nil extended commit")
	}
	if err := extCommit.EnsureExtensions(true); err != nil {
		return err
	}
	if err := vals.VerifyCommit(chainID, blockID, height, extCommit.ToCommit()); err != nil {
		return err
	}
	for i := range extCommit.ExtendedSignatures {
		vote := extCommit.GetExtendedVote(int32(i))
		if err := vote.VerifyExtension(chainID, vals.Validators[i].PubKey); err != nil {
			return fmt.Errorf("invalid vote extension signature of validator #%d: %w", i, err)
		}
	}
	return nil
}

// checkCommitShape checks the preconditions shared by the index-matched checks.
func (vals *ValidatorSet) checkCommitShape(commit *Commit, height int64, blockID BlockID) error {
	switch {
	case vals == nil:
		return errors.New("invalid commit: nil validator set")
	case commit == nil:
		return errors.New("invalid commit: nil commit")
	case vals.Size() != len(commit.Signatures):
		return fmt.Errorf("%w: %d validators, %d signatures", ErrCommitSetSizeMismatch, vals.Size(), len(commit.Signatures))
	case commit.Height != height:
		return fmt.Errorf("%w: want %d, got %d", ErrCommitHeightMismatch, height, commit.Height)
	case !blockID.Equals(commit.BlockID):
		return fmt.Errorf("%w: want %v, got %v", ErrCommitBlockIDMismatch, blockID, commit.BlockID)
	}
	return nil
}

// commitCheck configures verifyCommitSignatures.
type commitCheck struct {
	needed  int64                // power that must be exceeded
	skip    func(CommitSig) bool // entries neither checked nor counted
	count   func(CommitSig) bool // checked entries whose power counts
	all     bool                 // check every entry, not only until needed is exceeded
	byIndex bool                 // entry i belongs to validator i; else matched by address
}

// verifyCommitSignatures checks the commit's signatures as configured, batch-verifying when the
// commit has at least two entries, all validators' keys have one type and crypto/batch has a
// verifier for it (ed25519). Batch and one-by-one verification accept the same signatures.
func (vals *ValidatorSet) verifyCommitSignatures(chainID string, commit *Commit, c commitCheck) error {
	var (
		batch    crypto.BatchVerifier
		batchIdx []int // commit index of each batched entry
		seen     = make(map[int32]int)
		tallied  int64
	)
	if len(commit.Signatures) >= batchVerifyThreshold && vals.allKeysSameType() {
		batch, _ = cryptobatch.NewVerifier(vals.Validators[0].PubKey)
	}
	for idx, cs := range commit.Signatures {
		if c.skip(cs) {
			continue
		}
		if err := cs.ValidateBasic(); err != nil {
			return fmt.Errorf("invalid commit: signature #%d: %w", idx, err)
		}
		var val *Validator
		if c.byIndex {
			val = vals.Validators[idx]
			if !bytes.Equal(cs.ValidatorAddress, val.Address) {
				return fmt.Errorf("%w: signature #%d is from %v, validator #%d is %v",
					ErrCommitAddressMismatch, idx, cs.ValidatorAddress, idx, val.Address)
			}
		} else {
			valIdx, _ := vals.GetByAddress(cs.ValidatorAddress)
			if valIdx < 0 {
				continue
			}
			if first, dup := seen[valIdx]; dup {
				return fmt.Errorf("%w: validator %v signed #%d and #%d", ErrCommitDoubleVote, cs.ValidatorAddress, first, idx)
			}
			seen[valIdx] = idx
			val = vals.Validators[valIdx]
		}
		if val.PubKey == nil {
			return fmt.Errorf("invalid commit: validator %v of signature #%d has no public key", val.Address, idx)
		}

		signBytes := commit.VoteSignBytes(chainID, int32(idx))
		if batch != nil {
			if err := batch.Add(val.PubKey, signBytes, cs.Signature); err != nil {
				return fmt.Errorf("invalid commit: signature #%d: %w", idx, err)
			}
			batchIdx = append(batchIdx, idx)
		} else if !val.PubKey.VerifySignature(signBytes, cs.Signature) {
			return fmt.Errorf("%w: #%d by %v: %X", ErrCommitWrongSignature, idx, val.Address, cs.Signature)
		}

		if c.count(cs) {
			tallied += val.VotingPower
		}
		if !c.all && tallied > c.needed {
			break
		}
	}
	if tallied <= c.needed {
		return ErrNotEnoughVotingPowerSigned{Got: tallied, Needed: c.needed}
	}
	if batch == nil || len(batchIdx) == 0 {
		return nil
	}
	if ok, valid := batch.Verify(); !ok {
		for i, good := range valid {
			if !good {
				idx := batchIdx[i]
				return fmt.Errorf("%w: #%d by %v: %X", ErrCommitWrongSignature, idx,
					commit.Signatures[idx].ValidatorAddress, commit.Signatures[idx].Signature)
			}
		}
		return fmt.Errorf("%w: batch verification failed without naming an entry", ErrCommitWrongSignature)
	}
	return nil
}

// allKeysSameType reports whether the set is non-empty and all its keys are of one type.
func (vals *ValidatorSet) allKeysSameType() bool {
	if vals.IsNilOrEmpty() || vals.Validators[0].PubKey == nil {
		return false
	}
	keyType := vals.Validators[0].PubKey.Type()
	for _, v := range vals.Validators[1:] {
		if v.PubKey == nil || v.PubKey.Type() != keyType {
			return false
		}
	}
	return true
}
