package types

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/crypto/tmhash"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// LightClientAttackEvidence proves that a light client was shown a block that conflicts with
// the chain: ConflictingBlock is the forged or forked light block, CommonHeight the last height
// at which the light client and the chain agreed. ByzantineValidators are the validators that
// signed the conflicting block and TotalVotingPower the power of the set at CommonHeight;
// Timestamp is the time of the chain's block at CommonHeight. Whether these are right is checked
// by the evidence pool against the chain, not here.
//
// JSON (RPC, amino-JSON name tendermint/LightClientAttackEvidence): every field keeps its Go
// name ("ConflictingBlock", "CommonHeight", "ByzantineValidators", "TotalVotingPower",
// "Timestamp"), as CometBFT v0.38 writes and reads them; they are deliberately untagged.
type LightClientAttackEvidence struct {
	ConflictingBlock    *LightBlock
	CommonHeight        int64
	ByzantineValidators []*Validator
	TotalVotingPower    int64
	Timestamp           time.Time
}

var _ Evidence = (*LightClientAttackEvidence)(nil)

// Height returns the common height.
func (l *LightClientAttackEvidence) Height() int64 { return l.CommonHeight }

// Time returns the time of the chain's block at the common height.
func (l *LightClientAttackEvidence) Time() time.Time { return l.Timestamp }

// Bytes returns proto(LightClientAttackEvidence), or nil when the evidence cannot be encoded.
func (l *LightClientAttackEvidence) Bytes() []byte {
	pb, err := l.ToProto()
	if err != nil {
		return nil
	}
	return mustMarshal(pb)
}

// Hash returns CometBFT's identifier for the evidence (types.md §5): SHA-256 of a buffer of
// tmhash.Size bytes followed by the zig-zag varint of CommonHeight, where the first
// tmhash.Size-1 bytes of the conflicting block's hash fill the start of the buffer and the
// remaining byte stays zero. It covers only the conflicting block and the common height.
func (l *LightClientAttackEvidence) Hash() []byte {
	var blockHash []byte
	if l.ConflictingBlock != nil && l.ConflictingBlock.SignedHeader != nil {
		blockHash = l.ConflictingBlock.Hash()
	}
	buf := make([]byte, tmhash.Size, tmhash.Size+binary.MaxVarintLen64)
	copy(buf[:tmhash.Size-1], blockHash)
	buf = binary.AppendVarint(buf, l.CommonHeight)
	return tmhash.Sum(buf)
}

// ValidateBasic checks that the conflicting block is present with a header, the total voting
// power and the common height are positive, the common height is not above the conflicting
// block's height, and the conflicting light block is valid on its own for its chain ID. Errors
// wrap ErrInvalidEvidence.
func (l *LightClientAttackEvidence) ValidateBasic() error {
	if l == nil {
		return fmt.Errorf("%w: nil light client attack evidence", ErrInvalidEvidence)
	}
	if l.ConflictingBlock == nil {
		return fmt.Errorf("%w: conflicting block is missing", ErrInvalidEvidence)
	}
	if l.ConflictingBlock.SignedHeader == nil || l.ConflictingBlock.Header == nil {
		return fmt.Errorf("%w: conflicting block misses its header", ErrInvalidEvidence)
	}
	if l.TotalVotingPower <= 0 {
		return fmt.Errorf("%w: non-positive total voting power %d", ErrInvalidEvidence, l.TotalVotingPower)
	}
	if l.CommonHeight <= 0 {
		return fmt.Errorf("%w: non-positive common height %d", ErrInvalidEvidence, l.CommonHeight)
	}
	if h := l.ConflictingBlock.Height; l.CommonHeight > h {
		return fmt.Errorf("%w: common height %d above the conflicting block's height %d", ErrInvalidEvidence, l.CommonHeight, h)
	}
	if err := l.ConflictingBlock.ValidateBasic(l.ConflictingBlock.ChainID); err != nil {
		return fmt.Errorf("%w: conflicting block: %w", ErrInvalidEvidence, err)
	}
	return nil
}

// String returns a compact description for logs.
func (l *LightClientAttackEvidence) String() string {
	return fmt.Sprintf("LightClientAttackEvidence{%v, common height %d, %d byzantine, power %d @ %s}",
		l.ConflictingBlock, l.CommonHeight, len(l.ByzantineValidators), l.TotalVotingPower, CanonicalTime(l.Timestamp))
}

// ToProto returns the wire form. It fails for nil evidence or a validator that cannot be encoded.
func (l *LightClientAttackEvidence) ToProto() (*tmproto.LightClientAttackEvidence, error) {
	if l == nil {
		return nil, fmt.Errorf("%w: nil light client attack evidence", ErrInvalidEvidence)
	}
	block, err := l.ConflictingBlock.ToProto()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidEvidence, err)
	}
	pb := &tmproto.LightClientAttackEvidence{
		ConflictingBlock: block,
		CommonHeight:     l.CommonHeight,
		TotalVotingPower: l.TotalVotingPower,
		Timestamp:        l.Timestamp,
	}
	if len(l.ByzantineValidators) > 0 {
		pb.ByzantineValidators = make([]*tmproto.Validator, len(l.ByzantineValidators))
	}
	for i, v := range l.ByzantineValidators {
		vp, err := v.ToProto()
		if err != nil {
			return nil, fmt.Errorf("%w: byzantine validator %d: %w", ErrInvalidEvidence, i, err)
		}
		pb.ByzantineValidators[i] = vp
	}
	return pb, nil
}

// LightClientAttackEvidenceFromProto converts a wire message and checks it with ValidateBasic;
// errors wrap ErrInvalidEvidence. The result shares byte slices with pb.
func LightClientAttackEvidenceFromProto(pb *tmproto.LightClientAttackEvidence) (*LightClientAttackEvidence, error) {
	if pb == nil {
		return nil, fmt.Errorf("%w: nil light client attack evidence", ErrInvalidEvidence)
	}
	l := &LightClientAttackEvidence{
		CommonHeight:     pb.CommonHeight,
		TotalVotingPower: pb.TotalVotingPower,
		Timestamp:        pb.Timestamp,
	}
	if pb.ConflictingBlock != nil {
		block, err := LightBlockFromProto(pb.ConflictingBlock)
		if err != nil {
			return nil, fmt.Errorf("%w: conflicting block: %w", ErrInvalidEvidence, err)
		}
		l.ConflictingBlock = block
	}
	if len(pb.ByzantineValidators) > 0 {
		l.ByzantineValidators = make([]*Validator, len(pb.ByzantineValidators))
	}
	for i, vp := range pb.ByzantineValidators {
		v, err := ValidatorFromProto(vp)
		if err != nil {
			return nil, fmt.Errorf("%w: byzantine validator %d: %w", ErrInvalidEvidence, i, err)
		}
		l.ByzantineValidators[i] = v
	}
	if err := l.ValidateBasic(); err != nil {
		return nil, err
	}
	return l, nil
}
