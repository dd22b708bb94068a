package types

import (
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/merkle"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// ErrInvalidPart wraps every error returned by Part.ValidateBasic and PartFromProto.
var ErrInvalidPart = errors.New("invalid block part")

// Part is one chunk of a proto-encoded block, with the Merkle proof that places it under the part
// set hash. Parts are shared read-only once built or received.
type Part struct {
	Index uint32          `json:"index"`
	Bytes crypto.HexBytes `json:"bytes"`
	Proof merkle.Proof    `json:"proof"`
}

// ValidateBasic checks the part on its own, as received from a peer: at most BlockPartSizeBytes
// bytes, exactly BlockPartSizeBytes unless it is the last part (by its proof's total), an index
// equal to the proof's index, and a well-formed proof. It does not verify the proof against a
// root; PartSet.AddPart does.
func (p *Part) ValidateBasic() error {
	if p == nil {
		return fmt.Errorf("%w: nil part", ErrInvalidPart)
	}
	if len(p.Bytes) > int(BlockPartSizeBytes) {
		return fmt.Errorf("%w: %d bytes, at most %d allowed", ErrInvalidPart, len(p.Bytes), BlockPartSizeBytes)
	}
	if int64(p.Index) < p.Proof.Total-1 && len(p.Bytes) != int(BlockPartSizeBytes) {
		return fmt.Errorf("%w: part %d of %d has %d bytes, non-last parts have exactly %d",
			ErrInvalidPart, p.Index, p.Proof.Total, len(p.Bytes), BlockPartSizeBytes)
	}
	if int64(p.Index) != p.Proof.Index {
		return fmt.Errorf("%w: index %d differs from proof index %d", ErrInvalidPart, p.Index, p.Proof.Index)
	}
	if err := p.Proof.ValidateBasic(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidPart, err)
	}
	return nil
}

// String returns a compact description for logs.
func (p *Part) String() string {
	if p == nil {
		return "Part<nil>"
	}
	return fmt.Sprintf("Part{#%d, %d bytes, %v}", p.Index, len(p.Bytes), &p.Proof)
}

// ToProto returns the wire form of p; it shares byte slices with p.
func (p *Part) ToProto() (*tmproto.Part, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: nil part", ErrInvalidPart)
	}
	return &tmproto.Part{Index: p.Index, Bytes: p.Bytes, Proof: *p.Proof.ToProto()}, nil
}

// PartFromProto converts a wire part and checks it with ValidateBasic. The result shares byte
// slices with pb.
func PartFromProto(pb *tmproto.Part) (*Part, error) {
	if pb == nil {
		return nil, fmt.Errorf("%w: nil part", ErrInvalidPart)
	}
	proof, err := merkle.ProofFromProto(&pb.Proof)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPart, err)
	}
	p := &Part{Index: pb.Index, Bytes: pb.Bytes, Proof: *proof}
	if err := p.ValidateBasic(); err != nil {
		return nil, err
	}
	return p, nil
}
