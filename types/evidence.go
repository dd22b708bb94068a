package types

import (
	"errors"
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/crypto/merkle"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// ErrInvalidEvidence wraps every error returned by the evidence ValidateBasic methods and
// EvidenceFromProto.
var ErrInvalidEvidence = errors.New("invalid evidence")

// Evidence is proof that a validator misbehaved: a DuplicateVoteEvidence or a
// LightClientAttackEvidence. ValidateBasic checks only the evidence's shape; whether it is true
// of the chain is the evidence pool's verification. Evidence values are shared read-only.
type Evidence interface {
	// Height returns the height at which the misbehaviour happened (for light client attacks,
	// the common height).
	Height() int64
	// Bytes returns the proto encoding of the concrete evidence message (not the Evidence
	// oneof); these are the leaves of the header's evidence_hash.
	Bytes() []byte
	// Hash returns the evidence's identifier, used for deduplication.
	Hash() []byte
	// Time returns the time of the block at Height.
	Time() time.Time
	// ValidateBasic checks the evidence on its own; errors wrap ErrInvalidEvidence.
	ValidateBasic() error
	// String returns a compact description for logs.
	String() string
}

// EvidenceList is an ordered list of evidence, as carried in a block.
type EvidenceList []Evidence

// Hash returns the Merkle root of the evidence's Bytes (the header's evidence_hash). An empty
// list hashes to SHA-256("").
func (evl EvidenceList) Hash() []byte {
	leaves := make([][]byte, len(evl))
	for i, ev := range evl {
		leaves[i] = ev.Bytes()
	}
	return merkle.HashFromByteSlices(leaves)
}

// Has reports whether the list holds evidence with ev's hash.
func (evl EvidenceList) Has(ev Evidence) bool {
	h := string(ev.Hash())
	for _, e := range evl {
		if string(e.Hash()) == h {
			return true
		}
	}
	return false
}

// String returns a compact description for logs.
func (evl EvidenceList) String() string {
	return fmt.Sprintf("EvidenceList%v", []Evidence(evl))
}

// ToProto returns the wire form of the list.
func (evl EvidenceList) ToProto() (*tmproto.EvidenceList, error) {
	out := &tmproto.EvidenceList{Evidence: make([]tmproto.Evidence, len(evl))}
	for i, ev := range evl {
		pb, err := EvidenceToProto(ev)
		if err != nil {
			return nil, fmt.Errorf("evidence %d: %w", i, err)
		}
		out.Evidence[i] = *pb
	}
	return out, nil
}

// EvidenceListFromProto converts a wire evidence list, converting and checking each item with
// EvidenceFromProto. An empty list gives a nil EvidenceList.
func EvidenceListFromProto(pb *tmproto.EvidenceList) (EvidenceList, error) {
	if pb == nil || len(pb.Evidence) == 0 {
		return nil, nil
	}
	out := make(EvidenceList, len(pb.Evidence))
	for i := range pb.Evidence {
		ev, err := EvidenceFromProto(&pb.Evidence[i])
		if err != nil {
			return nil, fmt.Errorf("evidence %d: %w", i, err)
		}
		out[i] = ev
	}
	return out, nil
}

// EvidenceToProto wraps ev in the Evidence oneof. It fails for nil or for an Evidence type of
// another package.
func EvidenceToProto(ev Evidence) (*tmproto.Evidence, error) {
	switch ev := ev.(type) {
	case *DuplicateVoteEvidence:
		pb, err := ev.ToProto()
		if err != nil {
			return nil, err
		}
		return &tmproto.Evidence{Sum: &tmproto.Evidence_DuplicateVoteEvidence{DuplicateVoteEvidence: pb}}, nil
	case *LightClientAttackEvidence:
		pb, err := ev.ToProto()
		if err != nil {
			return nil, err
		}
		return &tmproto.Evidence{Sum: &tmproto.Evidence_LightClientAttackEvidence{LightClientAttackEvidence: pb}}, nil
	default:
		return nil, fmt.Errorf("%w: cannot encode evidence of type %T", ErrInvalidEvidence, ev)
	}
}

// EvidenceFromProto unwraps and converts the Evidence oneof, checking the result with
// ValidateBasic; errors wrap ErrInvalidEvidence.
func EvidenceFromProto(pb *tmproto.Evidence) (Evidence, error) {
	if pb == nil {
		return nil, fmt.Errorf("%w: nil evidence", ErrInvalidEvidence)
	}
	switch sum := pb.Sum.(type) {
	case *tmproto.Evidence_DuplicateVoteEvidence:
		return DuplicateVoteEvidenceFromProto(sum.DuplicateVoteEvidence)
	case *tmproto.Evidence_LightClientAttackEvidence:
		return LightClientAttackEvidenceFromProto(sum.LightClientAttackEvidence)
	default:
		return nil, fmt.Errorf("%w: unknown evidence type %T", ErrInvalidEvidence, pb.Sum)
	}
}
