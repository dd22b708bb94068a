package types

import (
	"errors"
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/crypto"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// ErrInvalidProposal wraps every error returned by Proposal.ValidateBasic and ProposalFromProto.
var ErrInvalidProposal = errors.New("invalid proposal")

// Proposal is a proposer's signed announcement of the block it proposes at a height and round.
// POLRound is the round of the proof-of-lock (+2/3 prevotes) for that block, or -1 for none.
//
// A Proposal is shared read-only once signed.
type Proposal struct {
	Type      SignedMsgType `json:"Type"` // CometBFT's field has no JSON tag: its key is the Go name
	Height    int64         `json:"height"`
	Round     int32         `json:"round"`
	POLRound  int32         `json:"pol_round"`
	BlockID   BlockID       `json:"block_id"`
	Timestamp time.Time     `json:"timestamp"`
	Signature []byte        `json:"signature"`
}

// NewProposal returns an unsigned proposal of blockID at height and round with the given POL
// round and time.
func NewProposal(height int64, round, polRound int32, blockID BlockID, timestamp time.Time) *Proposal {
	return &Proposal{
		Type:      ProposalType,
		Height:    height,
		Round:     round,
		POLRound:  polRound,
		BlockID:   blockID,
		Timestamp: timestamp,
	}
}

// SignBytes returns the bytes the proposer signs on chainID (the length-delimited
// CanonicalProposal).
func (p *Proposal) SignBytes(chainID string) []byte {
	return ProposalSignBytes(chainID, p.ToProto())
}

// Verify reports, as an error wrapping ErrVoteInvalidSignature, whether the signature does not
// verify under pubKey. The caller chooses pubKey (the round's proposer).
func (p *Proposal) Verify(chainID string, pubKey crypto.PubKey) error {
	if !pubKey.VerifySignature(p.SignBytes(chainID), p.Signature) {
		return fmt.Errorf("%w: proposal %v", ErrVoteInvalidSignature, p)
	}
	return nil
}

// ValidateBasic checks the proposal on its own (types.md §9): type PROPOSAL, height ≥ 0,
// round ≥ 0, POL round ≥ -1, a complete BlockID and 1..MaxSignatureSize signature bytes. The
// timestamp is not checked. Errors wrap ErrInvalidProposal.
func (p *Proposal) ValidateBasic() error {
	if err := p.validateBasic(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidProposal, err)
	}
	return nil
}

func (p *Proposal) validateBasic() error {
	if p == nil {
		return errors.New("nil proposal")
	}
	if p.Type != ProposalType {
		return fmt.Errorf("invalid type %v", p.Type)
	}
	if p.Height < 0 {
		return fmt.Errorf("negative height %d", p.Height)
	}
	if p.Round < 0 {
		return fmt.Errorf("negative round %d", p.Round)
	}
	if p.POLRound < -1 {
		return fmt.Errorf("POL round %d below -1", p.POLRound)
	}
	if err := p.BlockID.ValidateBasic(); err != nil {
		return fmt.Errorf("block ID: %w", err)
	}
	if !p.BlockID.IsComplete() {
		return fmt.Errorf("block ID %v is not complete", p.BlockID)
	}
	return validateSignature(p.Signature)
}

// String returns a compact description for logs.
func (p *Proposal) String() string {
	if p == nil {
		return "nil-Proposal"
	}
	return fmt.Sprintf("Proposal{%d/%d (%v, %d) %s @ %s}",
		p.Height, p.Round, p.BlockID, p.POLRound, shortHex(p.Signature), CanonicalTime(p.Timestamp))
}

// ToProto returns the wire form, or nil for nil. It shares byte slices with p.
func (p *Proposal) ToProto() *tmproto.Proposal {
	if p == nil {
		return nil
	}
	return &tmproto.Proposal{
		Type:      p.Type,
		Height:    p.Height,
		Round:     p.Round,
		PolRound:  p.POLRound,
		BlockID:   p.BlockID.ToProto(),
		Timestamp: p.Timestamp,
		Signature: p.Signature,
	}
}

// ProposalFromProto converts a wire proposal and checks it with ValidateBasic; errors wrap
// ErrInvalidProposal. The result shares byte slices with pb.
func ProposalFromProto(pb *tmproto.Proposal) (*Proposal, error) {
	if pb == nil {
		return nil, fmt.Errorf("%w: nil proposal", ErrInvalidProposal)
	}
	blockID, err := BlockIDFromProto(&pb.BlockID)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidProposal, err)
	}
	p := &Proposal{
		Type:      pb.Type,
		Height:    pb.Height,
		Round:     pb.Round,
		POLRound:  pb.PolRound,
		BlockID:   blockID,
		Timestamp: pb.Timestamp,
		Signature: pb.Signature,
	}
	if err := p.ValidateBasic(); err != nil {
		return nil, err
	}
	return p, nil
}
