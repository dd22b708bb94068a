package types

import (
	"fmt"

	"github.com/ballot-bft/ballot/libs/bits"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// ExtendedCommit is a Commit whose entries also carry the precommits' vote extensions. A node
// stores it for its last block so that the next proposer can hand the extensions to the
// application; blocks carry only the plain Commit (ToCommit).
//
// An ExtendedCommit is shared read-only.
type ExtendedCommit struct {
	Height             int64               `json:"height"`
	Round              int32               `json:"round"`
	BlockID            BlockID             `json:"block_id"`
	ExtendedSignatures []ExtendedCommitSig `json:"extended_signatures"`
}

// Size returns the number of entries.
func (ec *ExtendedCommit) Size() int {
	if ec == nil {
		return 0
	}
	return len(ec.ExtendedSignatures)
}

// ToCommit returns the plain commit, without extensions. It shares byte slices with ec.
func (ec *ExtendedCommit) ToCommit() *Commit {
	sigs := make([]CommitSig, len(ec.ExtendedSignatures))
	for i, ecs := range ec.ExtendedSignatures {
		sigs[i] = ecs.CommitSig
	}
	return &Commit{Height: ec.Height, Round: ec.Round, BlockID: ec.BlockID, Signatures: sigs}
}

// GetExtendedVote reconstructs validator valIdx's precommit with its extension (see
// Commit.GetVote), or nil when valIdx is out of range.
func (ec *ExtendedCommit) GetExtendedVote(valIdx int32) *Vote {
	if valIdx < 0 || int(valIdx) >= ec.Size() {
		return nil
	}
	ecs := ec.ExtendedSignatures[valIdx]
	return &Vote{
		Type:               PrecommitType,
		Height:             ec.Height,
		Round:              ec.Round,
		BlockID:            ecs.BlockID(ec.BlockID),
		Timestamp:          ecs.Timestamp,
		ValidatorAddress:   ecs.ValidatorAddress,
		ValidatorIndex:     valIdx,
		Signature:          ecs.Signature,
		Extension:          ecs.Extension,
		ExtensionSignature: ecs.ExtensionSignature,
	}
}

// EnsureExtensions checks every entry with ExtendedCommitSig.EnsureExtension(extEnabled).
func (ec *ExtendedCommit) EnsureExtensions(extEnabled bool) error {
	for i, ecs := range ec.ExtendedSignatures {
		if err := ecs.EnsureExtension(extEnabled); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
	}
	return nil
}

// BitArray returns the set of validator indexes with a non-absent entry.
func (ec *ExtendedCommit) BitArray() *bits.BitArray {
	b := bits.New(ec.Size())
	for i, ecs := range ec.ExtendedSignatures {
		b.SetIndex(i, !ecs.Absent())
	}
	return b
}

// ValidateBasic checks the commit as Commit.ValidateBasic does, with the entries checked by
// ExtendedCommitSig.ValidateBasic. Errors wrap ErrInvalidCommit.
func (ec *ExtendedCommit) ValidateBasic() error {
	if ec == nil {
		return fmt.Errorf("%w: nil extended commit", ErrInvalidCommit)
	}
	return validateCommitShape(ec.Height, ec.Round, ec.BlockID, len(ec.ExtendedSignatures), func(i int) error {
		return ec.ExtendedSignatures[i].ValidateBasic()
	})
}

// Clone returns a deep copy of the extended commit.
func (ec *ExtendedCommit) Clone() *ExtendedCommit {
	if ec == nil {
		return nil
	}
	c := *ec
	c.BlockID = ec.BlockID.clone()
	c.ExtendedSignatures = make([]ExtendedCommitSig, len(ec.ExtendedSignatures))
	for i, ecs := range ec.ExtendedSignatures {
		c.ExtendedSignatures[i] = ExtendedCommitSig{
			CommitSig:          ecs.CommitSig.clone(),
			Extension:          append([]byte(nil), ecs.Extension...),
			ExtensionSignature: append([]byte(nil), ecs.ExtensionSignature...),
		}
	}
	return &c
}

// ToProto returns the wire form, or nil for nil. It shares byte slices with ec.
func (ec *ExtendedCommit) ToProto() *tmproto.ExtendedCommit {
	if ec == nil {
		return nil
	}
	sigs := make([]tmproto.ExtendedCommitSig, len(ec.ExtendedSignatures))
	for i, ecs := range ec.ExtendedSignatures {
		sigs[i] = *ecs.ToProto()
	}
	return &tmproto.ExtendedCommit{
		Height:             ec.Height,
		Round:              ec.Round,
		BlockID:            ec.BlockID.ToProto(),
		ExtendedSignatures: sigs,
	}
}

// ExtendedCommitFromProto converts a wire extended commit and checks it with ValidateBasic;
// errors wrap ErrInvalidCommit. The result shares byte slices with pb.
func ExtendedCommitFromProto(pb *tmproto.ExtendedCommit) (*ExtendedCommit, error) {
	if pb == nil {
		return nil, fmt.Errorf("%w: nil extended commit", ErrInvalidCommit)
	}
	blockID, err := BlockIDFromProto(&pb.BlockID)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCommit, err)
	}
	ec := &ExtendedCommit{
		Height:             pb.Height,
		Round:              pb.Round,
		BlockID:            blockID,
		ExtendedSignatures: make([]ExtendedCommitSig, len(pb.ExtendedSignatures)),
	}
	for i, sig := range pb.ExtendedSignatures {
		ec.ExtendedSignatures[i] = ExtendedCommitSig{
			CommitSig: CommitSig{
				BlockIDFlag:      sig.BlockIdFlag,
				ValidatorAddress: sig.ValidatorAddress,
				Timestamp:        sig.Timestamp,
				Signature:        sig.Signature,
			},
			Extension:          sig.Extension,
			ExtensionSignature: sig.ExtensionSignature,
		}
	}
	if err := ec.ValidateBasic(); err != nil {
		return nil, err
	}
	return ec, nil
}
