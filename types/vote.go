package types

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/crypto"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// SignedMsgType is the type of a signed consensus message (prevote, precommit, proposal).
type SignedMsgType = tmproto.SignedMsgType

// Signed message types.
const (
	UnknownType   = tmproto.UnknownType
	PrevoteType   = tmproto.PrevoteType
	PrecommitType = tmproto.PrecommitType
	ProposalType  = tmproto.ProposalType
)

var (
	// ErrInvalidVote wraps every error returned by Vote.ValidateBasic and VoteFromProto.
	ErrInvalidVote = errors.New("invalid vote")
	// ErrVoteNil is returned for a nil *Vote where a vote is required.
	ErrVoteNil = errors.New("nil vote")
	// ErrVoteInvalidValidatorAddress is returned (wrapped) by Verify when the vote's address is
	// not the address of the key it is checked against.
	ErrVoteInvalidValidatorAddress = errors.New("invalid validator address")
	// ErrVoteInvalidSignature is returned (wrapped) by the Verify methods when a vote or extension
	// signature does not verify.
	ErrVoteInvalidSignature = errors.New("invalid signature")
	// ErrVoteExtensionAbsent is returned (wrapped) when a non-nil precommit lacks the extension
	// signature that enabled vote extensions require.
	ErrVoteExtensionAbsent = errors.New("vote extension signature absent")
)

// IsVoteTypeValid reports whether t is a vote type (prevote or precommit).
func IsVoteTypeValid(t SignedMsgType) bool {
	return t == PrevoteType || t == PrecommitType
}

// Vote is a signed prevote or precommit of one validator for a block (or for nil, with the zero
// BlockID) at a height and round. Extension and ExtensionSignature are carried only by non-nil
// precommits when vote extensions are enabled.
//
// A Vote is a plain value shared read-only once signed; Copy before modifying a shared one.
type Vote struct {
	Type               SignedMsgType  `json:"type"`
	Height             int64          `json:"height"`
	Round              int32          `json:"round"`
	BlockID            BlockID        `json:"block_id"`
	Timestamp          time.Time      `json:"timestamp"`
	ValidatorAddress   crypto.Address `json:"validator_address"`
	ValidatorIndex     int32          `json:"validator_index"`
	Signature          []byte         `json:"signature"`
	Extension          []byte         `json:"extension"`
	ExtensionSignature []byte         `json:"extension_signature"`
}

// isNonNilPrecommit reports whether the vote is the only kind that may carry an extension.
func (vote *Vote) isNonNilPrecommit() bool {
	return vote.Type == PrecommitType && !vote.BlockID.IsNil()
}

// SignBytes returns the bytes the validator signs for this vote on chainID (the length-delimited
// CanonicalVote; see VoteSignBytes).
func (vote *Vote) SignBytes(chainID string) []byte {
	return VoteSignBytes(chainID, vote.ToProto())
}

// ExtensionSignBytes returns the bytes the validator signs for this vote's extension on chainID
// (the length-delimited CanonicalVoteExtension).
func (vote *Vote) ExtensionSignBytes(chainID string) []byte {
	return VoteExtensionSignBytes(chainID, vote.ToProto())
}

// Verify checks that pubKey's address is the vote's validator address and that the vote's
// signature verifies under pubKey. It does not check the extension signature. Errors wrap
// ErrVoteInvalidValidatorAddress or ErrVoteInvalidSignature.
func (vote *Vote) Verify(chainID string, pubKey crypto.PubKey) error {
	if !bytes.Equal(pubKey.Address(), vote.ValidatorAddress) {
		return fmt.Errorf("%w: vote has %X, key has %X", ErrVoteInvalidValidatorAddress, vote.ValidatorAddress, pubKey.Address())
	}
	if !pubKey.VerifySignature(vote.SignBytes(chainID), vote.Signature) {
		return fmt.Errorf("%w: vote %v", ErrVoteInvalidSignature, vote)
	}
	return nil
}

// VerifyVoteAndExtension is Verify followed, for a non-nil precommit, by a check that the
// extension signature is present (else ErrVoteExtensionAbsent) and verifies (else
// ErrVoteInvalidSignature). Use it when vote extensions are enabled at the vote's height.
func (vote *Vote) VerifyVoteAndExtension(chainID string, pubKey crypto.PubKey) error {
	if err := vote.Verify(chainID, pubKey); err != nil {
		return err
	}
	if !vote.isNonNilPrecommit() {
		return nil
	}
	if len(vote.ExtensionSignature) == 0 {
		return fmt.Errorf("%w: vote %v", ErrVoteExtensionAbsent, vote)
	}
	return vote.VerifyExtension(chainID, pubKey)
}

// VerifyExtension checks the extension signature of a non-nil precommit under pubKey; for any
// other vote it returns nil. It does not check the vote signature or the address.
func (vote *Vote) VerifyExtension(chainID string, pubKey crypto.PubKey) error {
	if !vote.isNonNilPrecommit() {
		return nil
	}
	if !pubKey.VerifySignature(vote.ExtensionSignBytes(chainID), vote.ExtensionSignature) {
		return fmt.Errorf("%w: extension of vote %v", ErrVoteInvalidSignature, vote)
	}
	return nil
}

// EnsureExtension returns ErrVoteExtensionAbsent (wrapped) when the vote is a non-nil precommit
// without an extension signature. Callers use it when vote extensions are enabled.
func (vote *Vote) EnsureExtension() error {
	if vote.isNonNilPrecommit() && len(vote.ExtensionSignature) == 0 {
		return fmt.Errorf("%w: vote %v", ErrVoteExtensionAbsent, vote)
	}
	return nil
}

// ValidateBasic checks the vote on its own (types.md §9). Errors wrap ErrInvalidVote.
func (vote *Vote) ValidateBasic() error {
	if err := vote.validateBasic(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidVote, err)
	}
	return nil
}

func (vote *Vote) validateBasic() error {
	if vote == nil {
		return ErrVoteNil
	}
	if !IsVoteTypeValid(vote.Type) {
		return fmt.Errorf("invalid type %v", vote.Type)
	}
	if vote.Height <= 0 {
		return fmt.Errorf("non-positive height %d", vote.Height)
	}
	if vote.Round < 0 {
		return fmt.Errorf("negative round %d", vote.Round)
	}
	if err := vote.BlockID.ValidateBasic(); err != nil {
		return fmt.Errorf("block ID: %w", err)
	}
	if !vote.BlockID.IsNil() && !vote.BlockID.IsComplete() {
		return fmt.Errorf("block ID %v is neither nil nor complete", vote.BlockID)
	}
	if len(vote.ValidatorAddress) != crypto.AddressSize {
		return fmt.Errorf("validator address has %d bytes, want %d", len(vote.ValidatorAddress), crypto.AddressSize)
	}
	if vote.ValidatorIndex < 0 {
		return fmt.Errorf("negative validator index %d", vote.ValidatorIndex)
	}
	if err := validateSignature(vote.Signature); err != nil {
		return err
	}
	if !vote.isNonNilPrecommit() {
		if len(vote.Extension) > 0 {
			return errors.New("extension on a vote that is not a non-nil precommit")
		}
		if len(vote.ExtensionSignature) > 0 {
			return errors.New("extension signature on a vote that is not a non-nil precommit")
		}
		return nil
	}
	// Whether extensions are enabled is not known here, so an absent signature is allowed
	// unless there is an extension to sign.
	if len(vote.ExtensionSignature) > MaxSignatureSize {
		return fmt.Errorf("extension signature has %d bytes, at most %d allowed", len(vote.ExtensionSignature), MaxSignatureSize)
	}
	if len(vote.Extension) > 0 && len(vote.ExtensionSignature) == 0 {
		return fmt.Errorf("%w: extension without extension signature", ErrVoteExtensionAbsent)
	}
	return nil
}

// validateSignature checks 1 ≤ len(sig) ≤ MaxSignatureSize.
func validateSignature(sig []byte) error {
	if len(sig) == 0 {
		return errors.New("signature is missing")
	}
	if len(sig) > MaxSignatureSize {
		return fmt.Errorf("signature has %d bytes, at most %d allowed", len(sig), MaxSignatureSize)
	}
	return nil
}

// CommitSig returns the commit entry for this precommit: COMMIT for a vote for a block, NIL for
// a vote for nil, ABSENT for a nil *Vote. The vote must have passed ValidateBasic (a BlockID that
// is neither nil nor complete is a caller bug and panics).
func (vote *Vote) CommitSig() CommitSig {
	if vote == nil {
		return NewCommitSigAbsent()
	}
	var flag BlockIDFlag
	switch {
	case vote.BlockID.IsComplete():
		flag = BlockIDFlagCommit
	case vote.BlockID.IsNil():
		flag = BlockIDFlagNil
	default:
		panic(fmt.Sprintf("types: commit sig of a vote with an invalid block ID %v", vote.BlockID))
	}
	return CommitSig{
		BlockIDFlag:      flag,
		ValidatorAddress: vote.ValidatorAddress,
		Timestamp:        vote.Timestamp,
		Signature:        vote.Signature,
	}
}

// ExtendedCommitSig is CommitSig with the vote's extension and extension signature.
func (vote *Vote) ExtendedCommitSig() ExtendedCommitSig {
	if vote == nil {
		return ExtendedCommitSig{CommitSig: NewCommitSigAbsent()}
	}
	return ExtendedCommitSig{
		CommitSig:          vote.CommitSig(),
		Extension:          vote.Extension,
		ExtensionSignature: vote.ExtensionSignature,
	}
}

// Copy returns a deep copy of the vote.
func (vote *Vote) Copy() *Vote {
	if vote == nil {
		return nil
	}
	c := *vote
	c.BlockID = vote.BlockID.clone()
	c.ValidatorAddress = bytes.Clone(vote.ValidatorAddress)
	c.Signature = bytes.Clone(vote.Signature)
	c.Extension = bytes.Clone(vote.Extension)
	c.ExtensionSignature = bytes.Clone(vote.ExtensionSignature)
	return &c
}

// String returns a compact description for logs:
// Vote{index:address height/round/type block-hash signature @ time}.
func (vote *Vote) String() string {
	if vote == nil {
		return "nil-Vote"
	}
	var typ string
	switch vote.Type {
	case PrevoteType:
		typ = "Prevote"
	case PrecommitType:
		typ = "Precommit"
	default:
		typ = "Unknown"
	}
	return fmt.Sprintf("Vote{%d:%s %d/%02d/%s %s %s %d-byte-ext @ %s}",
		vote.ValidatorIndex, shortHex(vote.ValidatorAddress), vote.Height, vote.Round, typ,
		shortHex(vote.BlockID.Hash), shortHex(vote.Signature), len(vote.Extension), CanonicalTime(vote.Timestamp))
}

// ToProto returns the wire form of the vote, or nil for a nil vote. It shares byte slices with
// the vote.
func (vote *Vote) ToProto() *tmproto.Vote {
	if vote == nil {
		return nil
	}
	return &tmproto.Vote{
		Type:               vote.Type,
		Height:             vote.Height,
		Round:              vote.Round,
		BlockID:            vote.BlockID.ToProto(),
		Timestamp:          vote.Timestamp,
		ValidatorAddress:   vote.ValidatorAddress,
		ValidatorIndex:     vote.ValidatorIndex,
		Signature:          vote.Signature,
		Extension:          vote.Extension,
		ExtensionSignature: vote.ExtensionSignature,
	}
}

// VoteFromProto converts a wire vote and checks it with ValidateBasic; errors wrap ErrInvalidVote.
// The result shares byte slices with pb.
func VoteFromProto(pb *tmproto.Vote) (*Vote, error) {
	if pb == nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidVote, ErrVoteNil)
	}
	blockID, err := BlockIDFromProto(&pb.BlockID)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidVote, err)
	}
	vote := &Vote{
		Type:               pb.Type,
		Height:             pb.Height,
		Round:              pb.Round,
		BlockID:            blockID,
		Timestamp:          pb.Timestamp,
		ValidatorAddress:   pb.ValidatorAddress,
		ValidatorIndex:     pb.ValidatorIndex,
		Signature:          pb.Signature,
		Extension:          pb.Extension,
		ExtensionSignature: pb.ExtensionSignature,
	}
	if err := vote.ValidateBasic(); err != nil {
		return nil, err
	}
	return vote, nil
}
