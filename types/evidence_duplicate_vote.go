package types

import (
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/crypto/tmhash"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// DuplicateVoteEvidence proves that a validator signed two conflicting votes: same height, round
// and type, different BlockIDs. VoteA's BlockID.Key sorts before VoteB's. ValidatorPower and
// TotalVotingPower are the validator's and the set's power at the evidence height; Timestamp is
// the time of the block at that height.
//
// JSON (RPC, amino-JSON name tendermint/DuplicateVoteEvidence): the votes are "vote_a" and
// "vote_b" but the other fields keep their Go names ("TotalVotingPower", "ValidatorPower",
// "Timestamp"), as CometBFT v0.38 writes and reads them; they are deliberately untagged.
type DuplicateVoteEvidence struct {
	VoteA *Vote `json:"vote_a"`
	VoteB *Vote `json:"vote_b"`

	TotalVotingPower int64
	ValidatorPower   int64
	Timestamp        time.Time
}

var _ Evidence = (*DuplicateVoteEvidence)(nil)

// NewDuplicateVoteEvidence builds evidence from two conflicting votes of one validator, ordering
// them by BlockID.Key and taking the powers from valSet (the set at the votes' height). blockTime
// is the time of the block at that height. It fails when a vote is nil or the validator is not
// in valSet.
func NewDuplicateVoteEvidence(vote1, vote2 *Vote, blockTime time.Time, valSet *ValidatorSet) (*DuplicateVoteEvidence, error) {
	if vote1 == nil || vote2 == nil {
		return nil, fmt.Errorf("%w: duplicate vote evidence needs two votes", ErrInvalidEvidence)
	}
	if valSet == nil {
		return nil, fmt.Errorf("%w: duplicate vote evidence needs the validator set", ErrInvalidEvidence)
	}
	_, val := valSet.GetByAddress(vote1.ValidatorAddress)
	if val == nil {
		return nil, fmt.Errorf("%w: validator %v is not in the set", ErrInvalidEvidence, vote1.ValidatorAddress)
	}
	voteA, voteB := vote1, vote2
	if vote2.BlockID.Key() < vote1.BlockID.Key() {
		voteA, voteB = vote2, vote1
	}
	return &DuplicateVoteEvidence{
		VoteA:            voteA,
		VoteB:            voteB,
		TotalVotingPower: valSet.TotalVotingPower(),
		ValidatorPower:   val.VotingPower,
		Timestamp:        blockTime,
	}, nil
}

// Height returns the votes' height (0 when vote A is missing).
func (dve *DuplicateVoteEvidence) Height() int64 {
	if dve.VoteA == nil {
		return 0
	}
	return dve.VoteA.Height
}

// Time returns the time of the block at the votes' height.
func (dve *DuplicateVoteEvidence) Time() time.Time { return dve.Timestamp }

// Bytes returns proto(DuplicateVoteEvidence), or nil when the evidence cannot be encoded (nil
// votes).
func (dve *DuplicateVoteEvidence) Bytes() []byte {
	pb, err := dve.ToProto()
	if err != nil {
		return nil
	}
	return mustMarshal(pb)
}

// Hash returns SHA-256(Bytes()).
func (dve *DuplicateVoteEvidence) Hash() []byte { return tmhash.Sum(dve.Bytes()) }

// ValidateBasic checks that both votes are present and valid and ordered by BlockID.Key (strictly,
// so their BlockIDs differ). Errors wrap ErrInvalidEvidence.
func (dve *DuplicateVoteEvidence) ValidateBasic() error {
	if dve == nil {
		return fmt.Errorf("%w: nil duplicate vote evidence", ErrInvalidEvidence)
	}
	if dve.VoteA == nil || dve.VoteB == nil {
		return fmt.Errorf("%w: duplicate vote evidence misses a vote", ErrInvalidEvidence)
	}
	if err := dve.VoteA.ValidateBasic(); err != nil {
		return fmt.Errorf("%w: vote A: %w", ErrInvalidEvidence, err)
	}
	if err := dve.VoteB.ValidateBasic(); err != nil {
		return fmt.Errorf("%w: vote B: %w", ErrInvalidEvidence, err)
	}
	if dve.VoteA.BlockID.Key() >= dve.VoteB.BlockID.Key() {
		return fmt.Errorf("%w: duplicate votes not in block ID order", ErrInvalidEvidence)
	}
	return nil
}

// String returns a compact description for logs.
func (dve *DuplicateVoteEvidence) String() string {
	return fmt.Sprintf("DuplicateVoteEvidence{%v, %v, power %d/%d @ %s}",
		dve.VoteA, dve.VoteB, dve.ValidatorPower, dve.TotalVotingPower, CanonicalTime(dve.Timestamp))
}

// ToProto returns the wire form. It fails for nil evidence or nil votes. It shares byte slices
// with the votes.
func (dve *DuplicateVoteEvidence) ToProto() (*tmproto.DuplicateVoteEvidence, error) {
	if dve == nil || dve.VoteA == nil || dve.VoteB == nil {
		return nil, fmt.Errorf("%w: duplicate vote evidence misses a vote", ErrInvalidEvidence)
	}
	return &tmproto.DuplicateVoteEvidence{
		VoteA:            dve.VoteA.ToProto(),
		VoteB:            dve.VoteB.ToProto(),
		TotalVotingPower: dve.TotalVotingPower,
		ValidatorPower:   dve.ValidatorPower,
		Timestamp:        dve.Timestamp,
	}, nil
}

// DuplicateVoteEvidenceFromProto converts a wire message and checks it with ValidateBasic; errors
// wrap ErrInvalidEvidence. The result shares byte slices with pb.
func DuplicateVoteEvidenceFromProto(pb *tmproto.DuplicateVoteEvidence) (*DuplicateVoteEvidence, error) {
	if pb == nil {
		return nil, fmt.Errorf("%w: nil duplicate vote evidence", ErrInvalidEvidence)
	}
	voteA, err := VoteFromProto(pb.VoteA)
	if err != nil {
		return nil, fmt.Errorf("%w: vote A: %w", ErrInvalidEvidence, err)
	}
	voteB, err := VoteFromProto(pb.VoteB)
	if err != nil {
		return nil, fmt.Errorf("%w: vote B: %w", ErrInvalidEvidence, err)
	}
	dve := &DuplicateVoteEvidence{
		VoteA:            voteA,
		VoteB:            voteB,
		TotalVotingPower: pb.TotalVotingPower,
		ValidatorPower:   pb.ValidatorPower,
		Timestamp:        pb.Timestamp,
	}
	if err := dve.ValidateBasic(); err != nil {
		return nil, err
	}
	return dve, nil
}
