package types

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/crypto"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// BlockIDFlag says what a commit entry records about its validator's precommit.
type BlockIDFlag = tmproto.BlockIDFlag

// Block ID flags. Unknown (0) is invalid.
const (
	BlockIDFlagUnknown = tmproto.BlockIDFlagUnknown
	// BlockIDFlagAbsent: no precommit was received (or one for another block).
	BlockIDFlagAbsent = tmproto.BlockIDFlagAbsent
	// BlockIDFlagCommit: a precommit for the commit's BlockID.
	BlockIDFlagCommit = tmproto.BlockIDFlagCommit
	// BlockIDFlagNil: a precommit for nil.
	BlockIDFlagNil = tmproto.BlockIDFlagNil
)

// ErrInvalidCommitSig wraps every error returned by CommitSig.ValidateBasic and
// ExtendedCommitSig.ValidateBasic and EnsureExtension.
var ErrInvalidCommitSig = errors.New("invalid commit signature")

// CommitSig is one validator's entry in a Commit: what it precommitted, when, and its signature.
// An ABSENT entry carries no address, a zero time and no signature.
type CommitSig struct {
	BlockIDFlag      BlockIDFlag    `json:"block_id_flag"`
	ValidatorAddress crypto.Address `json:"validator_address"`
	Timestamp        time.Time      `json:"timestamp"`
	Signature        []byte         `json:"signature"`
}

// NewCommitSigAbsent returns the entry of a validator whose precommit is missing.
func NewCommitSigAbsent() CommitSig {
	return CommitSig{BlockIDFlag: BlockIDFlagAbsent}
}

// ForBlock reports whether the entry is a precommit for the commit's block.
func (cs CommitSig) ForBlock() bool { return cs.BlockIDFlag == BlockIDFlagCommit }

// Absent reports whether the entry records no precommit.
func (cs CommitSig) Absent() bool { return cs.BlockIDFlag == BlockIDFlagAbsent }

// BlockID returns the BlockID the entry's precommit was for: commitBlockID for COMMIT, the zero
// BlockID otherwise.
func (cs CommitSig) BlockID(commitBlockID BlockID) BlockID {
	if cs.BlockIDFlag == BlockIDFlagCommit {
		return commitBlockID
	}
	return BlockID{}
}

// ValidateBasic checks the entry on its own (types.md §9). Errors wrap ErrInvalidCommitSig.
func (cs CommitSig) ValidateBasic() error {
	if err := cs.validateBasic(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidCommitSig, err)
	}
	return nil
}

func (cs CommitSig) validateBasic() error {
	switch cs.BlockIDFlag {
	case BlockIDFlagAbsent:
		if len(cs.ValidatorAddress) != 0 {
			return errors.New("absent entry has a validator address")
		}
		if !cs.Timestamp.IsZero() {
			return errors.New("absent entry has a timestamp")
		}
		if len(cs.Signature) != 0 {
			return errors.New("absent entry has a signature")
		}
		return nil
	case BlockIDFlagCommit, BlockIDFlagNil:
		if len(cs.ValidatorAddress) != crypto.AddressSize {
			return fmt.Errorf("validator address has %d bytes, want %d", len(cs.ValidatorAddress), crypto.AddressSize)
		}
		return validateSignature(cs.Signature)
	default:
		return fmt.Errorf("unknown block ID flag %d", cs.BlockIDFlag)
	}
}

// String returns a compact description for logs.
func (cs CommitSig) String() string {
	return fmt.Sprintf("CommitSig{%s by %s on %v @ %s}",
		shortHex(cs.Signature), shortHex(cs.ValidatorAddress), cs.BlockIDFlag, CanonicalTime(cs.Timestamp))
}

// ToProto returns the wire form of the entry; it shares byte slices with cs.
func (cs CommitSig) ToProto() *tmproto.CommitSig {
	return &tmproto.CommitSig{
		BlockIdFlag:      cs.BlockIDFlag,
		ValidatorAddress: cs.ValidatorAddress,
		Timestamp:        cs.Timestamp,
		Signature:        cs.Signature,
	}
}

// CommitSigFromProto converts a wire entry and checks it with ValidateBasic. The result shares
// byte slices with pb.
func CommitSigFromProto(pb tmproto.CommitSig) (CommitSig, error) {
	cs := CommitSig{
		BlockIDFlag:      pb.BlockIdFlag,
		ValidatorAddress: pb.ValidatorAddress,
		Timestamp:        pb.Timestamp,
		Signature:        pb.Signature,
	}
	if err := cs.ValidateBasic(); err != nil {
		return CommitSig{}, err
	}
	return cs, nil
}

func (cs CommitSig) clone() CommitSig {
	return CommitSig{
		BlockIDFlag:      cs.BlockIDFlag,
		ValidatorAddress: bytes.Clone(cs.ValidatorAddress),
		Timestamp:        cs.Timestamp,
		Signature:        bytes.Clone(cs.Signature),
	}
}

// ExtendedCommitSig is a CommitSig with the precommit's vote extension and its signature. Only
// COMMIT entries carry extensions.
type ExtendedCommitSig struct {
	CommitSig
	Extension          []byte `json:"extension"`
	ExtensionSignature []byte `json:"extension_signature"`
}

// NewExtendedCommitSigAbsent returns the entry of a validator whose precommit is missing.
func NewExtendedCommitSigAbsent() ExtendedCommitSig {
	return ExtendedCommitSig{CommitSig: NewCommitSigAbsent()}
}

// ValidateBasic checks the entry on its own: the CommitSig rules; for a COMMIT entry an extension
// of at most MaxVoteExtensionSize bytes, an extension signature of at most MaxSignatureSize bytes
// and no extension without a signature; for other entries no extension and no extension
// signature. Whether extensions are required is EnsureExtension's business. Errors wrap
// ErrInvalidCommitSig.
func (ecs ExtendedCommitSig) ValidateBasic() error {
	if err := ecs.CommitSig.ValidateBasic(); err != nil {
		return err
	}
	if err := ecs.validateExtension(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidCommitSig, err)
	}
	return nil
}

func (ecs ExtendedCommitSig) validateExtension() error {
	if ecs.BlockIDFlag != BlockIDFlagCommit {
		if len(ecs.Extension) != 0 || len(ecs.ExtensionSignature) != 0 {
			return fmt.Errorf("%v entry carries a vote extension", ecs.BlockIDFlag)
		}
		return nil
	}
	if len(ecs.Extension) > MaxVoteExtensionSize {
		return fmt.Errorf("extension has %d bytes, at most %d allowed", len(ecs.Extension), MaxVoteExtensionSize)
	}
	if len(ecs.ExtensionSignature) > MaxSignatureSize {
		return fmt.Errorf("extension signature has %d bytes, at most %d allowed", len(ecs.ExtensionSignature), MaxSignatureSize)
	}
	if len(ecs.Extension) != 0 && len(ecs.ExtensionSignature) == 0 {
		return fmt.Errorf("%w: extension without extension signature", ErrVoteExtensionAbsent)
	}
	return nil
}

// EnsureExtension checks the entry against whether vote extensions are enabled at its height:
// enabled, a COMMIT entry must have an extension signature (ErrVoteExtensionAbsent); disabled, no
// entry may carry an extension or extension signature. Errors wrap ErrInvalidCommitSig.
func (ecs ExtendedCommitSig) EnsureExtension(extEnabled bool) error {
	switch {
	case extEnabled && ecs.BlockIDFlag == BlockIDFlagCommit && len(ecs.ExtensionSignature) == 0:
		return fmt.Errorf("%w: %w: COMMIT entry of %X", ErrInvalidCommitSig, ErrVoteExtensionAbsent, []byte(ecs.ValidatorAddress))
	case !extEnabled && (len(ecs.Extension) != 0 || len(ecs.ExtensionSignature) != 0):
		return fmt.Errorf("%w: vote extension present while extensions are disabled", ErrInvalidCommitSig)
	}
	return nil
}

// ToProto returns the wire form of the entry; it shares byte slices with ecs.
func (ecs ExtendedCommitSig) ToProto() *tmproto.ExtendedCommitSig {
	return &tmproto.ExtendedCommitSig{
		BlockIdFlag:        ecs.BlockIDFlag,
		ValidatorAddress:   ecs.ValidatorAddress,
		Timestamp:          ecs.Timestamp,
		Signature:          ecs.Signature,
		Extension:          ecs.Extension,
		ExtensionSignature: ecs.ExtensionSignature,
	}
}

// ExtendedCommitSigFromProto converts a wire entry and checks it with ValidateBasic. The result
// shares byte slices with pb.
func ExtendedCommitSigFromProto(pb tmproto.ExtendedCommitSig) (ExtendedCommitSig, error) {
	ecs := ExtendedCommitSig{
		CommitSig: CommitSig{
			BlockIDFlag:      pb.BlockIdFlag,
			ValidatorAddress: pb.ValidatorAddress,
			Timestamp:        pb.Timestamp,
			Signature:        pb.Signature,
		},
		Extension:          pb.Extension,
		ExtensionSignature: pb.ExtensionSignature,
	}
	if err := ecs.ValidateBasic(); err != nil {
		return ExtendedCommitSig{}, err
	}
	return ecs, nil
}
