package types

import (
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/crypto/merkle"
	"github.com/ballot-bft/ballot/libs/bits"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// ErrInvalidCommit wraps every error returned by Commit.ValidateBasic, ExtendedCommit.ValidateBasic
// and their FromProto functions.
var ErrInvalidCommit = errors.New("invalid commit")

// Commit is the +2/3 precommits that committed a block: one entry per validator of the height, in
// validator-index order. The commit of height h is carried as the LastCommit of block h+1. The
// initial block's LastCommit is the empty commit (height 0, no entries).
//
// A Commit is shared read-only; Clone before modifying a shared one.
type Commit struct {
	Height     int64       `json:"height"`
	Round      int32       `json:"round"`
	BlockID    BlockID     `json:"block_id"`
	Signatures []CommitSig `json:"signatures"`
}

// Size returns the number of entries (the size of the validator set that signed).
func (commit *Commit) Size() int {
	if commit == nil {
		return 0
	}
	return len(commit.Signatures)
}

// GetVote reconstructs the precommit of validator valIdx (types.md §10): type PRECOMMIT, the
// commit's height and round, the commit's BlockID for a COMMIT entry and the zero BlockID
// otherwise, and the entry's time, address and signature. It returns nil when valIdx is out of
// range. The vote shares byte slices with the commit.
func (commit *Commit) GetVote(valIdx int32) *Vote {
	if valIdx < 0 || int(valIdx) >= commit.Size() {
		return nil
	}
	cs := commit.Signatures[valIdx]
	return &Vote{
		Type:             PrecommitType,
		Height:           commit.Height,
		Round:            commit.Round,
		BlockID:          cs.BlockID(commit.BlockID),
		Timestamp:        cs.Timestamp,
		ValidatorAddress: cs.ValidatorAddress,
		ValidatorIndex:   valIdx,
		Signature:        cs.Signature,
	}
}

// VoteSignBytes returns the sign bytes of validator valIdx's precommit on chainID (the
// CanonicalVote of GetVote(valIdx); a NIL entry signs a vote without block ID). It returns nil
// when valIdx is out of range.
func (commit *Commit) VoteSignBytes(chainID string, valIdx int32) []byte {
	vote := commit.GetVote(valIdx)
	if vote == nil {
		return nil
	}
	return vote.SignBytes(chainID)
}

// BitArray returns the set of validator indexes with a non-absent entry.
func (commit *Commit) BitArray() *bits.BitArray {
	b := bits.New(commit.Size())
	for i, cs := range commit.Signatures {
		b.SetIndex(i, !cs.Absent())
	}
	return b
}

// Hash returns the Merkle root of the proto encodings of the entries (the next header's
// last_commit_hash). The empty commit hashes to SHA-256("").
func (commit *Commit) Hash() []byte {
	if commit == nil {
		return merkle.HashFromByteSlices(nil)
	}
	leaves := make([][]byte, len(commit.Signatures))
	for i, cs := range commit.Signatures {
		bz, err := cs.ToProto().Marshal()
		if err != nil {
			panic(fmt.Sprintf("types: encoding commit sig: %v", err)) // scalars, bytes, time only
		}
		leaves[i] = bz
	}
	return merkle.HashFromByteSlices(leaves)
}

// ValidateBasic checks the commit on its own (types.md §9): non-negative height and round; from
// height 1 on, a non-nil BlockID and at least one entry, each valid. Errors wrap ErrInvalidCommit.
func (commit *Commit) ValidateBasic() error {
	if commit == nil {
		return fmt.Errorf("%w: nil commit", ErrInvalidCommit)
	}
	return validateCommitShape(commit.Height, commit.Round, commit.BlockID, len(commit.Signatures), func(i int) error {
		return commit.Signatures[i].ValidateBasic()
	})
}

// validateCommitShape holds the rules Commit and ExtendedCommit share; validateSig checks entry i.
func validateCommitShape(height int64, round int32, blockID BlockID, n int, validateSig func(i int) error) error {
	if height < 0 {
		return fmt.Errorf("%w: negative height %d", ErrInvalidCommit, height)
	}
	if round < 0 {
		return fmt.Errorf("%w: negative round %d", ErrInvalidCommit, round)
	}
	if height == 0 {
		return nil
	}
	if blockID.IsNil() {
		return fmt.Errorf("%w: commit for a nil block", ErrInvalidCommit)
	}
	if err := blockID.ValidateBasic(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidCommit, err)
	}
	if n == 0 {
		return fmt.Errorf("%w: no signatures", ErrInvalidCommit)
	}
	for i := range n {
		if err := validateSig(i); err != nil {
			return fmt.Errorf("%w: entry %d: %w", ErrInvalidCommit, i, err)
		}
	}
	return nil
}

// Clone returns a deep copy of the commit.
func (commit *Commit) Clone() *Commit {
	if commit == nil {
		return nil
	}
	c := *commit
	c.BlockID = commit.BlockID.clone()
	c.Signatures = make([]CommitSig, len(commit.Signatures))
	for i, cs := range commit.Signatures {
		c.Signatures[i] = cs.clone()
	}
	return &c
}

// WrappedExtendedCommit returns the commit as an ExtendedCommit whose entries carry no
// extensions (for heights where vote extensions are disabled).
func (commit *Commit) WrappedExtendedCommit() *ExtendedCommit {
	ec := &ExtendedCommit{
		Height:             commit.Height,
		Round:              commit.Round,
		BlockID:            commit.BlockID,
		ExtendedSignatures: make([]ExtendedCommitSig, len(commit.Signatures)),
	}
	for i, cs := range commit.Signatures {
		ec.ExtendedSignatures[i] = ExtendedCommitSig{CommitSig: cs}
	}
	return ec
}

// String returns a compact description for logs.
func (commit *Commit) String() string {
	if commit == nil {
		return "nil-Commit"
	}
	return fmt.Sprintf("Commit{%d/%d %v, %d signatures}", commit.Height, commit.Round, commit.BlockID, len(commit.Signatures))
}

// ToProto returns the wire form of the commit, or nil for a nil commit. It shares byte slices
// with the commit.
func (commit *Commit) ToProto() *tmproto.Commit {
	if commit == nil {
		return nil
	}
	sigs := make([]tmproto.CommitSig, len(commit.Signatures))
	for i, cs := range commit.Signatures {
		sigs[i] = *cs.ToProto()
	}
	return &tmproto.Commit{
		Height:     commit.Height,
		Round:      commit.Round,
		BlockID:    commit.BlockID.ToProto(),
		Signatures: sigs,
	}
}

// CommitFromProto converts a wire commit and checks it with ValidateBasic; errors wrap
// ErrInvalidCommit. The result shares byte slices with pb.
func CommitFromProto(pb *tmproto.Commit) (*Commit, error) {
	if pb == nil {
		return nil, fmt.Errorf("%w: nil commit", ErrInvalidCommit)
	}
	blockID, err := BlockIDFromProto(&pb.BlockID)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCommit, err)
	}
	commit := &Commit{
		Height:     pb.Height,
		Round:      pb.Round,
		BlockID:    blockID,
		Signatures: make([]CommitSig, len(pb.Signatures)),
	}
	for i, sig := range pb.Signatures {
		commit.Signatures[i] = CommitSig{
			BlockIDFlag:      sig.BlockIdFlag,
			ValidatorAddress: sig.ValidatorAddress,
			Timestamp:        sig.Timestamp,
			Signature:        sig.Signature,
		}
	}
	if err := commit.ValidateBasic(); err != nil {
		return nil, err
	}
	return commit, nil
}
